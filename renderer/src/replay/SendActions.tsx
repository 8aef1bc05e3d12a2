import type { RefObject } from 'react';
import { useEffect, useRef, useState } from 'react';
import type { HooktrayApi } from '../../../electron/core/contract';
import { useFocusFollowsRun } from '../hooks/useFocusFollowsRun';
import { urlProblem } from '../lib/form-checks';

/** The outcome of the last send, shown above the Send button. */
export interface SendMessage {
  error: boolean;
  text: string;
}

/**
 * Returns the message for the target's response to a send. A status of 400 or more is an error,
 * because the target rejected the delivery or failed to handle it. So is a 1xx such as 101,
 * which no webhook receiver sends as the final response to a delivery it accepted. A redirect
 * names `location`, the URL from the response's Location header, escaped for display.
 */
export function responseMessage(status: number | null, durationMs: number, detail = '', location: string | null = null): SendMessage {
  const timing = `${status ?? 'No status'} in ${durationMs.toFixed(1)} ms${detail}`;
  if (status === null || status >= 400) return { error: true, text: `${timing}. The target reported an error; check its log.` };
  if (status < 200) return { error: true, text: `${timing}. The target did not accept the delivery with a final status; check that the URL is a webhook endpoint.` };
  if (status >= 300 && status < 400) {
    if (location === null) return { error: false, text: `${timing}. Redirects are not followed, and the response has no Location header; check the target URL.` };
    return { error: false, text: `${timing}. Redirects are not followed; the target redirects to ${location}, so send to that URL if it handles the webhook.` };
  }
  return { error: false, text: `${timing}.` };
}

interface SendActionsProps {
  message: SendMessage | null;
  /** Id of the message, which an invalid field names in its aria-describedby. */
  messageId: string;
  sending: boolean;
  disabled: boolean;
  onSend: () => void;
  /** Stops the send in progress; without it, no Cancel button is shown. */
  onCancel?: () => void;
}

/** Shows the outcome of the last send and the Send button of the Re-send and Send test dialogs. */
export function SendActions({ message, messageId, sending, disabled, onSend, onCancel }: SendActionsProps) {
  const seconds = useSecondsWhile(sending);
  const sendRef = useRef<HTMLButtonElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  useFocusFollowsRun(sending, sendRef, cancelRef, sending && onCancel !== undefined);
  return (
    <>
      {message !== null && (
        <p id={messageId} className={message.error ? 'error' : 'notice'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
      <div className="dialog-actions">
        {sending && onCancel !== undefined && (
          <button ref={cancelRef} type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button ref={sendRef} type="button" onClick={onSend} disabled={sending || disabled}>
          {sending ? `Sending…${seconds > 0 ? ` ${seconds} s` : ''}` : 'Send'}
        </button>
      </div>
    </>
  );
}

/** Returns the whole seconds since `active` became true, updated each second, or 0 while it is false. */
function useSecondsWhile(active: boolean): number {
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    setSeconds(0);
    if (!active) return;
    const startedAt = Date.now();
    const timer = setInterval(() => setSeconds(Math.floor((Date.now() - startedAt) / 1000)), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return seconds;
}

export interface TargetCheck {
  /** The target URL field, focused when the check fails. */
  ref: RefObject<HTMLInputElement | null>;
  /** True after a check found the target invalid, for the field's aria-invalid. */
  invalid: boolean;
  /** Checks `target` before a send. On a problem it reports it through `onMessage`, focuses the field and returns false. */
  check: (target: string) => boolean;
}

/** Checks a send dialog's target URL field, as both the Re-send and the Send test dialogs do. */
export function useTargetCheck(onMessage: (message: SendMessage) => void): TargetCheck {
  const ref = useRef<HTMLInputElement>(null);
  const [invalid, setInvalid] = useState(false);
  const check = (target: string): boolean => {
    const problem = urlProblem('Target URL', target);
    setInvalid(problem !== null);
    if (problem === null) return true;
    onMessage({ error: true, text: problem });
    ref.current?.focus();
    return false;
  };
  return { ref, invalid, check };
}

/** Invoke channels that stop a send by its sendId, with the kind of send each one stops. */
const CANCEL_CHANNELS = {
  'deliveries.replay.cancel': 're-send',
  'testEvents.send.cancel': 'test delivery',
} as const;

export interface SendCancel {
  /** Runs `send` with a new sendId, which `cancel` uses while `send` runs. */
  track: <T>(send: (sendId: string) => Promise<T>) => Promise<T>;
  /** Asks the core to stop the send in progress. The send then ends with the cancellation as its error. */
  cancel: () => void;
}

/**
 * Lets a dialog cancel its send in progress over `channel`, and cancels it when the dialog
 * closes. When a cancel from the button fails, `onMessage` gets a message that names the failure.
 */
export function useSendCancel(api: HooktrayApi, channel: keyof typeof CANCEL_CHANNELS, onMessage: (message: SendMessage) => void): SendCancel {
  const sendIdRef = useRef<string | null>(null);

  const track = async <T,>(send: (sendId: string) => Promise<T>): Promise<T> => {
    const sendId = crypto.randomUUID();
    sendIdRef.current = sendId;
    try {
      return await send(sendId);
    } finally {
      if (sendIdRef.current === sendId) sendIdRef.current = null;
    }
  };

  const cancel = (): void => {
    const sendId = sendIdRef.current;
    if (sendId === null) return;
    api.invoke(channel, { sendId }).catch((error: unknown) => onMessage({ error: true, text: `Cancelling the ${CANCEL_CHANNELS[channel]} failed: ${(error as Error).message}` }));
  };

  // Closing the dialog stops its send, whose result would otherwise arrive after the dialog is gone.
  useEffect(
    () => () => {
      const sendId = sendIdRef.current;
      if (sendId === null) return;
      sendIdRef.current = null;
      // No dialog is left to show a failed cancel, and the send then ends at its own timeout.
      api.invoke(channel, { sendId }).catch(() => undefined);
    },
    [api, channel],
  );

  return { track, cancel };
}
