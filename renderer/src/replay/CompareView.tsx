import { useEffect, useRef, useState } from 'react';
import type { DeliveryDiff, HooktrayApi, TextPatch } from '../../../electron/core/contract';
import type { DiffSide } from '../../../electron/core/diff';
import { EscapedText } from '../components/EscapedText';
import { runDiffInWorker } from './run-diff';

interface CompareViewProps {
  api: HooktrayApi;
  leftId: string;
  rightId: string;
  onClose: () => void;
}

type CompareState =
  | { phase: 'loading'; startedAt: number }
  | { phase: 'canceled' }
  | { phase: 'failed'; message: string }
  | { phase: 'done'; diff: DeliveryDiff };

/**
 * Compares two deliveries: changed JSON paths, header changes and a side-by-side line diff. Two
 * large bodies can take minutes to compare, so the view counts the seconds and offers Cancel.
 */
export function CompareView({ api, leftId, rightId, onClose }: CompareViewProps) {
  const [ignoreVolatile, setIgnoreVolatile] = useState(false);
  const [state, setState] = useState<CompareState>({ phase: 'loading', startedAt: Date.now() });
  /** Incremented by Compare again, to run a canceled comparison once more. */
  const [attempt, setAttempt] = useState(0);
  const cancelRef = useRef<() => void>(() => {});

  useEffect(() => {
    let cancel = (): void => {};
    let active = true;
    setState({ phase: 'loading', startedAt: Date.now() });
    cancelRef.current = () => {
      active = false;
      cancel();
      setState({ phase: 'canceled' });
    };
    void Promise.all([api.invoke('deliveries.get', { id: leftId }), api.invoke('deliveries.get', { id: rightId })]).then(
      ([left, right]) => {
        if (!active) return;
        if (left === null || right === null) {
          setState({ phase: 'failed', message: `Delivery ${left === null ? leftId : rightId} was not found; it may have been deleted by retention.` });
          return;
        }
        const side = (delivery: typeof left): DiffSide => ({ label: delivery.id, headers: delivery.headers, body: delivery.decodedBody ?? delivery.body });
        const job = runDiffInWorker(side(left), side(right), { ignoreVolatile });
        cancel = job.cancel;
        void job.result.then((result) => {
          if (active) setState(result.ok ? { phase: 'done', diff: result.diff } : { phase: 'failed', message: result.message });
        });
      },
      (error: unknown) => active && setState({ phase: 'failed', message: `Loading the deliveries failed: ${(error as Error).message}` }),
    );
    return () => {
      active = false;
      cancel();
    };
  }, [api, leftId, rightId, ignoreVolatile, attempt]);

  return (
    <section className="compare" aria-label="Compare deliveries">
      <div className="panel-actions">
        <strong>
          Compare <code>{leftId}</code> with <code>{rightId}</code>
        </strong>
        <label className="checkbox">
          <input type="checkbox" checked={ignoreVolatile} onChange={(event) => setIgnoreVolatile(event.target.checked)} />
          Ignore timestamps, ids and signature headers
        </label>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {state.phase === 'loading' && <ComparingStatus startedAt={state.startedAt} onCancel={() => cancelRef.current()} />}
      {state.phase === 'canceled' && (
        <p role="status">
          The comparison was canceled.{' '}
          <button type="button" onClick={() => setAttempt((value) => value + 1)}>
            Compare again
          </button>
        </p>
      )}
      {state.phase === 'failed' && (
        <p className="error" role="alert">
          {state.message}
        </p>
      )}
      {state.phase === 'done' && <DiffReport diff={state.diff} />}
    </section>
  );
}

/** Seconds a comparison has run, updated each second, with a Cancel button. */
function ComparingStatus({ startedAt, onCancel }: { startedAt: number; onCancel: () => void }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const seconds = Math.floor((now - startedAt) / 1000);
  return (
    <p role="status">
      Comparing…{seconds > 0 && ` ${seconds} s`}{' '}
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </p>
  );
}

/** Names each side whose body is not JSON, with the reason, such as `01J…: The body is empty.` */
export function jsonProblems(diff: Pick<DeliveryDiff, 'left' | 'right'>): string {
  const sides = [
    ['Left', diff.left],
    ['Right', diff.right],
  ] as const;
  return sides
    .filter(([, side]) => side.jsonError !== null)
    .map(([position, side]) => `${position} (${side.label}): ${side.jsonError}`)
    .join(' ');
}

function DiffReport({ diff }: { diff: DeliveryDiff }) {
  return (
    <>
      <h3>JSON</h3>
      {diff.json === null ? (
        <p className="hint">
          {diff.left.kind === 'binary' || diff.right.kind === 'binary' ? 'Not compared as JSON.' : 'Not compared as JSON, so the bodies are compared by lines only.'} {jsonProblems(diff)}
        </p>
      ) : diff.json.changes.length === 0 ? (
        <p className="hint">No JSON changes{diff.identicalBodies ? '' : ' (the bodies differ only in layout)'}.</p>
      ) : (
        <table className="diff-changes">
          <thead>
            <tr>
              <th>Change</th>
              <th>Path</th>
              <th>Left</th>
              <th>Right</th>
            </tr>
          </thead>
          <tbody>
            {diff.json.changes.map((change) => (
              <tr key={`${change.kind} ${change.path}`} className={`diff-${change.kind}`}>
                <td>{change.kind}</td>
                <td className="code">{change.path === '' ? '(root)' : <EscapedText text={change.path} />}</td>
                <td className="code">
                  <EscapedText text={change.before ?? ''} />
                </td>
                <td className="code">
                  <EscapedText text={change.after ?? ''} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {diff.json?.truncated === true && <p className="note">The list stops at the first changes; narrow the comparison to see the rest.</p>}

      <h3>Headers</h3>
      {diff.headerChanges.length === 0 ? (
        <p className="hint">No header changes.</p>
      ) : (
        <ul className="diff-headers">
          {diff.headerChanges.map((change) => (
            <li key={change.name} className={`diff-${change.kind}`}>
              <code>{change.name}</code> {change.kind}: <EscapedText text={(change.before ?? []).join(', ')} />
              {change.kind === 'changed' ? ' → ' : ''}
              <EscapedText text={(change.after ?? []).join(', ')} />
            </li>
          ))}
        </ul>
      )}

      <h3>Body lines</h3>
      <SideBySide patch={diff.bodyPatch} />
    </>
  );
}

/** Lays out a patch's hunks in two columns: left lines beside right lines. */
function SideBySide({ patch }: { patch: TextPatch }) {
  if (patch.status !== 'changed') return <p className="hint">{patch.status === 'identical' ? 'The bodies are identical.' : patch.reason}</p>;
  return (
    <table className="diff-lines" aria-label="Body lines, left and right">
      <tbody>
        {patch.hunks.flatMap((hunk, hunkIndex) => [
          <tr key={`h${hunkIndex}`} className="diff-hunk">
            <td colSpan={4} className="code">{`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`}</td>
          </tr>,
          ...pairLines(hunk.lines).map(([left, right], index) => {
            const leftChange = left?.startsWith('-') === true ? 'removed' : null;
            const rightChange = right?.startsWith('+') === true ? 'added' : null;
            return (
              <tr key={`h${hunkIndex}-${index}`}>
                <LineCells line={left} change={leftChange} />
                <LineCells line={right} change={rightChange} />
              </tr>
            );
          }),
        ])}
      </tbody>
    </table>
  );
}

type LineChange = 'removed' | 'added' | null;

/**
 * Renders one side of a line diff row: a − or + marker, with the word for screen readers, and
 * the line with its control characters escaped. Unchanged lines get no marker.
 */
function LineCells({ line, change }: { line: string | undefined; change: LineChange }) {
  const changeClass = change === null ? '' : ` diff-${change}`;
  return (
    <>
      <td className={`diff-marker${changeClass}`}>
        {change !== null && (
          <>
            <span aria-hidden="true">{change === 'removed' ? '−' : '+'}</span>
            <span className="visually-hidden">{change === 'removed' ? 'Removed:' : 'Added:'}</span>
          </>
        )}
      </td>
      <td className={`code line-text${changeClass}`}>{line === undefined ? '' : <EscapedText text={line.slice(1)} />}</td>
    </>
  );
}

/** Pairs a run of removed lines with the added lines that follow it; context lines sit on both sides. */
function pairLines(lines: readonly string[]): [string | undefined, string | undefined][] {
  const rows: [string | undefined, string | undefined][] = [];
  let removed: string[] = [];
  let added: string[] = [];
  const flush = (): void => {
    for (let index = 0; index < Math.max(removed.length, added.length); index++) rows.push([removed[index], added[index]]);
    removed = [];
    added = [];
  };
  for (const line of lines) {
    if (line.startsWith('-')) removed.push(line);
    else if (line.startsWith('+')) added.push(line);
    else if (line.startsWith('\\')) continue;
    else {
      flush();
      rows.push([line, line]);
    }
  }
  flush();
  return rows;
}
