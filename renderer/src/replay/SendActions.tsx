import { useEffect, useState } from 'react';

/** The outcome of the last send, shown above the Send button. */
export interface SendMessage {
  error: boolean;
  text: string;
}

/**
 * Returns the message for the target's response to a send. A status of 400 or more is an error,
 * because the target rejected the delivery or failed to handle it. So is a 1xx such as 101,
 * which no webhook receiver sends as the final response to a delivery it accepted.
 */
export function responseMessage(status: number | null, durationMs: number, detail = ''): SendMessage {
  const timing = `${status ?? 'No status'} in ${durationMs.toFixed(1)} ms${detail}`;
  if (status === null || status >= 400) return { error: true, text: `${timing}. The target reported an error; check its log.` };
  if (status < 200) return { error: true, text: `${timing}. The target did not accept the delivery with a final status; check that the URL is a webhook endpoint.` };
  if (status >= 300 && status < 400) return { error: false, text: `${timing}. Redirects are not followed; send to the URL the target redirects to.` };
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
  return (
    <>
      {message !== null && (
        <p id={messageId} className={message.error ? 'error' : 'notice'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
      <div className="dialog-actions">
        {sending && onCancel !== undefined && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="button" onClick={onSend} disabled={sending || disabled}>
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
