/** The outcome of the last send, shown above the Send button. */
export interface SendMessage {
  error: boolean;
  text: string;
}

/** Shows the outcome of the last send and the Send button of the Re-send and Send test dialogs. */
export function SendActions({ message, sending, disabled, onSend }: { message: SendMessage | null; sending: boolean; disabled: boolean; onSend: () => void }) {
  return (
    <>
      {message !== null && (
        <p className={message.error ? 'error' : 'notice'} role={message.error ? 'alert' : 'status'}>
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
