import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { DeliveryDetail, HeaderPair, HooktrayApi, ReplayEdits, TargetResponse, Verdict, VerdictStatus } from '../../../electron/core/contract';
import { ModalDialog } from '../components/ModalDialog';
import { countLineBreaks, lineBreakNote, restoreLineBreaks } from './line-breaks';
import { RecordedResponses } from './RecordedResponses';
import { headerValue, redirectLocation } from './response-view';
import { lineRange, parseHeaderLines } from './send-checks';
import type { SendMessage } from './SendActions';
import { responseMessage, SendActions, useSendCancel, useTargetCheck } from './SendActions';

interface ResendDialogProps {
  api: HooktrayApi;
  delivery: DeliveryDetail;
  /** Prefilled target, such as the receiver's local URL plus the delivery's path. */
  defaultTarget: string;
  onClose: () => void;
}

/** Bodies larger than this are re-sent as received; editing them in a text area is impractical. */
const MAX_EDITABLE_BODY = 1024 * 1024;
// A byte order mark stays in the text, so an edited body is sent with it, as received.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes a body for editing, or returns null when it is too big or not UTF-8 text. */
export function editableText(body: Uint8Array): string | null {
  if (body.byteLength > MAX_EDITABLE_BODY) return null;
  try {
    return UTF8.decode(body);
  } catch {
    return null;
  }
}

const headersToText = (headers: readonly HeaderPair[]): string => headers.map(([name, value]) => `${name}: ${value}`).join('\n');

/** Verdicts that a profile reaches only after it found the signature header in the delivery. */
const SIGNED_STATUSES: ReadonlySet<VerdictStatus> = new Set(['valid', 'invalid', 'no-key', 'malformed-header', 'timestamp-out-of-tolerance']);

/** Returns the note shown when an edited body would go out with the delivery's original signature. */
export function staleSignatureNote(verdict: Verdict, path: string): string {
  const stale = 'The body is edited, so the original signature header will not match it.';
  if (verdict.profile === null) return `${stale} To sign it again, add a profile with a key for ${path} in Settings, then tick "Sign again".`;
  if (verdict.status === 'no-key') return `${stale} To sign it again, add a key to profile "${verdict.profile}" in Settings, then tick "Sign again".`;
  return `${stale} Tick "Sign again" to sign the edited body with profile "${verdict.profile}"'s newest key.`;
}

/**
 * Returns whether the delivery came with a signature header. Without a profile for its path, that
 * is when its headers match a known scheme's, such as X-Hub-Signature-256.
 */
export function hadSignature(verdict: Verdict): boolean {
  return SIGNED_STATUSES.has(verdict.status) || (verdict.status === 'unverified' && verdict.detectedScheme !== undefined);
}

/**
 * Re-sends a delivery to a URL: as received, or with edited headers and body, optionally
 * re-signed. Lists the responses recorded for the delivery, newest first.
 */
export function ResendDialog({ api, delivery, defaultTarget, onClose }: ResendDialogProps) {
  const originalHeaders = useMemo(() => headersToText(delivery.headers), [delivery]);
  const originalBody = useMemo(() => editableText(delivery.body), [delivery]);
  const [target, setTarget] = useState(defaultTarget);
  const [resign, setResign] = useState(false);
  const [headersText, setHeadersText] = useState(originalHeaders);
  const [bodyText, setBodyText] = useState(originalBody ?? '');
  const lineBreaks = useMemo(() => (originalBody === null ? null : lineBreakNote(countLineBreaks(originalBody))), [originalBody]);
  // The text area turns CRLF and CR into LF, so the edited text gets the received line breaks back.
  const outgoingBody = originalBody === null || bodyText === originalBody ? originalBody : restoreLineBreaks(originalBody, bodyText);
  const bodyEdited = outgoingBody !== originalBody;
  const bodyNoteId = useId();
  const signatureNote = bodyEdited && !resign && hadSignature(delivery.verdict) ? staleSignatureNote(delivery.verdict, delivery.path) : null;
  const [sending, setSending] = useState(false);
  const [message, setMessage] = useState<SendMessage | null>(null);
  const [responses, setResponses] = useState<TargetResponse[]>([]);
  const messageId = useId();
  const sends = useSendCancel(api, 'deliveries.replay.cancel', setMessage);
  const targetCheck = useTargetCheck(setMessage);
  const headersRef = useRef<HTMLTextAreaElement>(null);
  /** True after a check found a header line the core would reject, for the field's aria-invalid. */
  const [headersInvalid, setHeadersInvalid] = useState(false);

  useEffect(() => {
    let active = true;
    const load = (): void => {
      void api.invoke('deliveries.responses', { id: delivery.id }).then((list) => active && setResponses(list));
    };
    load();
    const unsubscribe = api.subscribe('responses.recorded', (recorded) => recorded.deliveryId === delivery.id && load());
    return () => {
      active = false;
      unsubscribe();
    };
  }, [api, delivery.id]);

  const send = async (): Promise<void> => {
    if (!targetCheck.check(target)) {
      setHeadersInvalid(false);
      return;
    }

    const edits: ReplayEdits = {};
    if (headersText !== originalHeaders) {
      const parsed = parseHeaderLines(headersText);
      setHeadersInvalid(!parsed.ok);
      if (!parsed.ok) {
        setMessage({ error: true, text: parsed.message });
        // Select the line at fault, so the user sees and can retype it at once.
        const { start, end } = lineRange(headersText, parsed.line);
        headersRef.current?.focus();
        headersRef.current?.setSelectionRange(start, end);
        return;
      }
      edits.headers = parsed.headers;
    } else {
      setHeadersInvalid(false);
    }
    // An unchanged body is not sent back, so its exact bytes are re-sent.
    if (bodyEdited && outgoingBody !== null) edits.body = new TextEncoder().encode(outgoingBody);

    setSending(true);
    setMessage(null);
    try {
      const result = await sends.track((sendId) => api.invoke('deliveries.replay', { id: delivery.id, target, resign, sendId, ...(Object.keys(edits).length === 0 ? {} : { edits }) }));
      if (!result.ok) setMessage({ error: true, text: result.message });
      else if (result.response.error !== null) setMessage({ error: true, text: result.response.error.message });
      else setMessage(responseMessage(result.response.status, result.response.durationMs, '', redirectLocation(headerValue(result.response.headers, 'location'), result.response.target)));
    } catch (error) {
      setMessage({ error: true, text: `Re-sending failed: ${(error as Error).message}` });
    } finally {
      setSending(false);
    }
  };

  return (
    <ModalDialog label="Re-send delivery" onClose={onClose}>
      <div className="dialog-head">
        <h2>Re-send {delivery.method} {delivery.path}</h2>
        <button type="button" onClick={onClose} aria-label="Close">
          ×
        </button>
      </div>
      <label>
        Target URL
        <input
          ref={targetCheck.ref}
          type="url"
          value={target}
          onChange={(event) => setTarget(event.target.value)}
          className="code"
          aria-invalid={targetCheck.invalid || undefined}
          aria-describedby={targetCheck.invalid ? messageId : undefined}
        />
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={resign} onChange={(event) => setResign(event.target.checked)} />
        Sign again with the profile&apos;s newest key and a fresh timestamp
      </label>
      <label>
        Headers (one &quot;Name: value&quot; per line; hop-by-hop headers, Host and Content-Length are set for the target)
        <textarea
          ref={headersRef}
          rows={8}
          value={headersText}
          onChange={(event) => setHeadersText(event.target.value)}
          spellCheck={false}
          aria-invalid={headersInvalid || undefined}
          aria-describedby={headersInvalid ? messageId : undefined}
        />
      </label>
      {originalBody === null ? (
        <p className="hint">The body is binary or larger than 1 MiB, so it is re-sent exactly as received and cannot be edited here.</p>
      ) : (
        <>
          <label>
            Body
            <textarea
              rows={10}
              value={bodyText}
              onChange={(event) => setBodyText(event.target.value)}
              spellCheck={false}
              aria-describedby={bodyNoteId}
            />
          </label>
          <div id={bodyNoteId}>
            {lineBreaks !== null && <p className="hint">{lineBreaks}</p>}
            {/* The live region stays in place, so a screen reader announces the note when it appears. */}
            <div aria-live="polite">{signatureNote !== null && <p className="warnings">{signatureNote}</p>}</div>
          </div>
        </>
      )}
      <SendActions message={message} messageId={messageId} sending={sending} disabled={target.trim() === ''} onSend={() => void send()} onCancel={sends.cancel} />
      <h3>Recorded responses</h3>
      <RecordedResponses responses={responses} />
    </ModalDialog>
  );
}
