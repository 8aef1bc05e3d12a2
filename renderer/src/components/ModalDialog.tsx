import type { ReactNode, RefObject } from 'react';
import { useEffect, useLayoutEffect, useRef } from 'react';

/** Elements that take focus from the Tab key, before the visibility and radio-group checks. */
const TABBABLE = [
  'a[href]',
  'button:not([disabled])',
  'input:not([disabled]):not([type="hidden"])',
  'select:not([disabled])',
  'textarea:not([disabled])',
  '[tabindex]:not([tabindex="-1"])',
].join(', ');

/** Form fields; the first one takes the initial focus in place of the Close button. */
const FIELDS = 'input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled])';

const isVisible = (element: HTMLElement): boolean => element.getClientRects().length > 0;

/** Returns the dialog's Tab stops in document order: visible, enabled, one per radio group. */
function tabStops(dialog: HTMLElement): HTMLElement[] {
  return [...dialog.querySelectorAll<HTMLElement>(TABBABLE)].filter(
    (element) => isVisible(element) && !(element instanceof HTMLInputElement && element.type === 'radio' && !element.checked),
  );
}

/** Returns the first visible form field, which takes the focus when the dialog opens. */
function firstField(dialog: HTMLElement): HTMLElement | null {
  return [...dialog.querySelectorAll<HTMLElement>(FIELDS)].find(isVisible) ?? null;
}

/** Returns the last open dialog in document order, the only one whose Tab handler acts, so two open dialogs do not both move focus. */
function topmostDialog(): HTMLDialogElement | undefined {
  return [...document.querySelectorAll<HTMLDialogElement>('dialog[open]')].at(-1);
}

/** Moves focus to the first or last Tab stop when Tab or Shift+Tab would leave the dialog. */
function wrapTab(dialog: HTMLDialogElement, event: KeyboardEvent): void {
  const stops = tabStops(dialog);
  const first = stops[0];
  const last = stops.at(-1);
  const active = document.activeElement;
  const inside = active instanceof HTMLElement && active !== dialog && dialog.contains(active);

  if (first === undefined || last === undefined) {
    event.preventDefault();
    dialog.focus();
    return;
  }
  if (event.shiftKey && (!inside || active === first)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (!inside || active === last)) {
    event.preventDefault();
    first.focus();
  }
}

/**
 * Opens `<dialog>` as a modal, which makes the rest of the page inert, and focuses its first
 * field. Tab and Shift+Tab stay inside it, and Escape calls `onClose`. On unmount, focus
 * returns to the element that had it before the dialog opened.
 */
export function useModalDialog(ref: RefObject<HTMLDialogElement | null>, onClose: () => void): void {
  const onCloseRef = useRef(onClose);
  useEffect(() => {
    onCloseRef.current = onClose;
  }, [onClose]);

  useLayoutEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;

    if (!dialog.open) dialog.showModal();
    // showModal() focuses the first focusable element, usually Close, but a field is the useful
    // start. Until a field renders (settings and deliveries load first), the dialog has focus.
    const focusFirstField = (): boolean => {
      const field = firstField(dialog);
      field?.focus();
      return field !== null;
    };
    if (!focusFirstField()) dialog.focus();
    const observer = new MutationObserver(() => {
      // Stop once a field has focus or the user has moved focus elsewhere.
      if (document.activeElement !== dialog || focusFirstField()) observer.disconnect();
    });
    if (document.activeElement === dialog) observer.observe(dialog, { childList: true, subtree: true });
    // A focused control that unmounts, such as Cancel when a comparison ends, leaves focus on <body>.
    const keepFocus = new MutationObserver(() => {
      if (document.activeElement === null || document.activeElement === document.body) dialog.focus();
    });
    keepFocus.observe(dialog, { childList: true, subtree: true });

    const onKeyDown = (event: KeyboardEvent): void => {
      if (event.key === 'Tab' && !event.altKey && !event.ctrlKey && !event.metaKey && topmostDialog() === dialog) wrapTab(dialog, event);
    };
    // Escape fires `cancel`, which is cancelled so React state decides when the dialog goes.
    const onCancel = (event: Event): void => {
      event.preventDefault();
      onCloseRef.current();
    };
    // Without user activation since the last Escape, the HTML close-watcher rules make `cancel`
    // non-cancelable and the dialog closes by itself; `close` reports that.
    const onNativeClose = (): void => onCloseRef.current();
    document.addEventListener('keydown', onKeyDown, true);
    dialog.addEventListener('cancel', onCancel);
    dialog.addEventListener('close', onNativeClose);

    return () => {
      observer.disconnect();
      keepFocus.disconnect();
      document.removeEventListener('keydown', onKeyDown, true);
      dialog.removeEventListener('cancel', onCancel);
      dialog.removeEventListener('close', onNativeClose);
      // Close first: while the dialog is modal the opener is inert and cannot take focus.
      if (dialog.open) dialog.close();
      if (opener !== null && opener.isConnected) opener.focus();
    };
  }, [ref]);
}

interface ModalDialogProps {
  /** Accessible name of the dialog. */
  label: string;
  /** A wider dialog for side-by-side content such as a comparison. */
  wide?: boolean;
  onClose: () => void;
  children: ReactNode;
}

/** Renders a modal dialog with the focus handling of `useModalDialog`; every dialog of the inspector uses it. */
export function ModalDialog({ label, wide = false, onClose, children }: ModalDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useModalDialog(ref, onClose);
  return (
    <dialog ref={ref} className={wide ? 'dialog dialog-wide' : 'dialog'} aria-label={label} tabIndex={-1}>
      {children}
    </dialog>
  );
}
