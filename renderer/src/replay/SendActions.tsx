/** The outcome of the last send, shown above the Send button. */
export interface SendMessage {
  error: boolean;
  text: string;
}

/**
 * Returns the message for the target's response to a send. A status of 400 or more is an error,
 * because the target rejected the delivery or failed to handle it.
 */
export function responseMessage(status: number | null, durationMs: number, detail = ''): SendMessage {
  const timing = `${status ?? 'No status'} in ${durationMs.toFixed(1)} ms${detail}`;
  if (status === null || status >= 400) return { error: true, text: `${timing}. The target reported an error; check its log.` };
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
}

/** Shows the outcome of the last send and the Send button of the Re-send and Send test dialogs. */
export function SendActions({ message, messageId, sending, disabled, onSend }: SendActionsProps) {
  return (
    <>
      {message !== null && (
        <p id={messageId} className={message.error ? 'error' : 'notice'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onSend} disabled={sending || disabled}>
          {sending ? 'Sending…' : 'Send'}
        </button>
      </div>
    </>
  );
}
