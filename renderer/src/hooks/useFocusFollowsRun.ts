import type { RefObject } from 'react';
import { useEffect, useRef } from 'react';

/**
 * Moves focus to Cancel while a run (a send, an export) is in progress and back to the button
 * that started it when the run ends, unless the user has moved focus elsewhere. That button is
 * disabled while the run lasts and Cancel unmounts afterwards, so a keyboard user would
 * otherwise be left on the dialog itself. `cancelShown` is true once Cancel has mounted, which
 * can happen after the run starts.
 */
export function useFocusFollowsRun(
  running: boolean,
  startRef: RefObject<HTMLButtonElement | null>,
  cancelRef: RefObject<HTMLButtonElement | null>,
  cancelShown = running,
): void {
  const wasRunning = useRef(running);
  useEffect(() => {
    const ended = !running && wasRunning.current;
    wasRunning.current = running;

    const active = document.activeElement;
    const dialog = startRef.current?.closest('dialog') ?? null;
    const lost = active === null || active === document.body || active === dialog || active === startRef.current || (active as HTMLButtonElement).disabled === true;
    if (!lost) return;
    if (running && cancelShown) cancelRef.current?.focus();
    else if (ended) startRef.current?.focus();
  }, [running, cancelShown, startRef, cancelRef]);
}
