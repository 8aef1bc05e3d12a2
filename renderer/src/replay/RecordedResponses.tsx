import { Fragment, useId, useState } from 'react';
import type { TargetResponse } from '../../../electron/core/contract';
import { revealInvisible } from '../lib/format';
import { responseBodyNotes, responseBodyView } from './response-view';

/** Columns of a response row, which the expanded row spans. */
const COLUMNS = 5;

/**
 * Lists a delivery's recorded re-sends and forwards, newest first. Each row expands to the
 * target's response headers and body; received text only ever becomes text nodes.
 */
export function RecordedResponses({ responses }: { responses: readonly TargetResponse[] }) {
  if (responses.length === 0) return <p className="hint">None yet.</p>;
  return (
    <table className="facts-table" aria-label="Recorded responses">
      <tbody>
        {[...responses].reverse().map((response) => (
          <ResponseRow key={response.id} response={response} />
        ))}
      </tbody>
    </table>
  );
}

function ResponseRow({ response }: { response: TargetResponse }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const outcome = response.error === null ? `${response.status} in ${response.durationMs.toFixed(1)} ms` : response.error.message;
  // A response that never arrived has no headers or body to show.
  const hasResponse = response.status !== null;
  return (
    <Fragment>
      <tr className="response-row">
        <td className="timestamp">{response.sentAt}</td>
        <td>{response.kind}</td>
        <td className="code">{response.target}</td>
        <td>{outcome}</td>
        <td>
          {hasResponse && (
            <button type="button" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen(!open)}>
              {open ? 'Hide response' : 'Show response'}
            </button>
          )}
        </td>
      </tr>
      {hasResponse && open && (
        <tr>
          <td colSpan={COLUMNS} id={panelId}>
            <ResponseDetail response={response} />
          </td>
        </tr>
      )}
    </Fragment>
  );
}

function ResponseDetail({ response }: { response: TargetResponse }) {
  const view = responseBodyView(response.body);
  const notes = responseBodyNotes(response, view);
  return (
    <div className="response-detail">
      <table className="headers" aria-label={`Response headers of ${response.sentAt}`}>
        <tbody>
          {response.headers.map(([name, value], index) => (
            <tr key={index}>
              <td className="header-name">{revealInvisible(name)}</td>
              <td className="header-value">{revealInvisible(value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {notes.map((note) => (
        <p key={note} className="note">
          {note}
        </p>
      ))}
      {view.kind === 'empty' && <p className="note">The response has no body.</p>}
      {view.kind === 'text' && (
        <pre className="command" aria-label={`Response body of ${response.sentAt}`}>
          {view.text}
        </pre>
      )}
      {view.kind === 'binary' && (
        <pre className="command" aria-label={`Response body of ${response.sentAt} in hex`}>
          {view.lines.join('\n')}
        </pre>
      )}
    </div>
  );
}
