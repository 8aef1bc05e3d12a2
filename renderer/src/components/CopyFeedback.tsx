import { useCallback, useEffect, useRef, useState } from 'react';
import { copyText } from '../lib/clipboard';

/** Whether the last copy put the text on the clipboard. */
export type CopyOutcome = 'copied' | 'failed';

/** Time a copy's outcome stays on screen, in ms. A failure stays longer, so its advice can be read. */
const SHOWN_MS: Record<CopyOutcome, number> = { copied: 1500, failed: 6000 };

/** Returns the outcome of the last copy, shown for a short time, and the function that copies. */
export function useCopy(): { outcome: CopyOutcome | null; copy: (text: string) => void } {
  const [outcome, setOutcome] = useState<CopyOutcome | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );
  const copy = useCallback((text: string) => {
    void copyText(text).then((done) => {
      const next: CopyOutcome = done ? 'copied' : 'failed';
      setOutcome(next);
      if (timer.current !== null) clearTimeout(timer.current);
      timer.current = setTimeout(() => setOutcome(null), SHOWN_MS[next]);
    });
  }, []);
  return { outcome, copy };
}

/** Renders how to copy `subject` by hand after the browser refused a copy, or nothing. */
export function CopyFailure({ outcome, subject }: { outcome: CopyOutcome | null; subject: string }) {
  if (outcome !== 'failed') return null;
  return (
    <span className="error" role="alert">
      The browser did not allow copying: select the {subject} and press Ctrl+C (⌘C on macOS).
    </span>
  );
}
