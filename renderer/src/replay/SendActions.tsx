/** The outcome of the last send, shown above the Send button. */
export interface SendMessage {
  error: boolean;
  text: string;
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
