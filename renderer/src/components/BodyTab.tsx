import { useEffect, useMemo, useRef, useState } from 'react';
import type { DeliveryDetail } from '../../../electron/core/contract';
import { useBodyJob } from '../hooks/useBodyJob';
import { useDebouncedValue } from '../hooks/useDebouncedValue';
import type { BodyText } from '../lib/body-jobs';
import type { BodyLines, BodyView } from '../lib/body-lines';
import { hexLines, prettyLines, rawLines } from '../lib/body-lines';
import { findPattern } from '../lib/find-text';
import { notStoredBodyHint } from '../../../electron/core/not-stored';
import { formatCount } from '../lib/format';
import { onRovingKey } from '../lib/roving';
import { countBelow } from '../lib/line-index';
import { CopyFailure, useCopy } from './CopyFeedback';
import { JobProgress } from './JobProgress';
import type { CurrentMatch } from './TextLines';
import { TextLines } from './TextLines';

const MODES: { mode: BodyView; label: string }[] = [
  { mode: 'pretty', label: 'Pretty' },
  { mode: 'raw', label: 'Raw' },
  { mode: 'hex', label: 'Hex' },
];

/** Bodies larger than this open in the raw view; the pretty view is one click away. */
const AUTO_PRETTY_MAX_BYTES = 2 * 1024 * 1024;
/** Wait after the last keystroke in Find before matches are counted, in ms. */
const FIND_DEBOUNCE_MS = 200;

function initialModeOf(body: BodyText, size: number): BodyView {
  if (body.binary) return 'hex';
  const looksJson = /^\s*[[{"]/.test(body.text.slice(0, 64));
  return looksJson && size <= AUTO_PRETTY_MAX_BYTES ? 'pretty' : 'raw';
}

interface BodyTabProps {
  detail: DeliveryDetail;
  /** Moves the focus out of Find after Escape in the empty field. */
  onLeaveFind: () => void;
}

/**
 * Renders the body as received: pretty JSON that keeps every number and string as written,
 * raw text, or a hex dump for binary. Received text only ever becomes text nodes. Decoding,
 * formatting, find and the hex dump for Copy run in a Web Worker for large bodies, with progress
 * and Cancel, and only the lines shown are rendered.
 */
export function BodyTab({ detail, onLeaveFind }: BodyTabProps) {
  const [asReceived, setAsReceived] = useState(false);
  const bytes = asReceived || detail.decodedBody === null ? detail.body : detail.decodedBody;
  const [chosenMode, setMode] = useState<BodyView | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const findText = useDebouncedValue(search, FIND_DEBOUNCE_MS);
  const { outcome: copied, copy: copyToClipboard } = useCopy();

  // Canceling the decoding shows the hex view, which needs no text, until a text view is chosen.
  const [decodeWanted, setDecodeWanted] = useState(true);
  const decodeJob = useMemo(() => (decodeWanted ? ({ kind: 'text', bytes } as const) : null), [bytes, decodeWanted]);
  const decoding = useBodyJob(decodeJob);
  const bodyText = decoding.state.status === 'done' ? decoding.state.result : null;
  const decodeFailed = decoding.state.status === 'failed' ? decoding.state.message : null;
  let mode = chosenMode;
  if (mode === null && decodeFailed !== null) mode = 'hex';
  if (mode === null && bodyText !== null) mode = initialModeOf(bodyText, bytes.length);

  const prettyJob = useMemo(() => (mode === 'pretty' && bodyText !== null ? ({ kind: 'pretty', text: bodyText.text } as const) : null), [mode, bodyText]);
  const formatting = useBodyJob(prettyJob);
  const pretty = formatting.state.status === 'done' ? formatting.state.result : null;
  const formatFailed = formatting.state.status === 'failed' ? formatting.state.message : null;

  // With invalid or too deeply nested JSON, or a failed formatting, the pretty view falls back to the raw lines.
  const lines = useMemo((): BodyLines | null => {
    if (mode === 'hex') return hexLines(bytes);
    if (mode === null || bodyText === null) return null;
    if (mode === 'pretty' && pretty?.ok === true) return prettyLines(pretty.document);
    if (mode === 'pretty' && pretty === null && formatFailed === null) return null;
    return rawLines(bodyText);
  }, [mode, bytes, bodyText, pretty, formatFailed]);

  const pattern = useMemo(() => (lines?.text == null ? null : findPattern(findText)), [lines, findText]);
  const findJob = useMemo(() => (pattern !== null && lines?.text != null ? ({ kind: 'find', text: lines.text, needle: findText } as const) : null), [pattern, lines, findText]);
  const finding = useBodyJob(findJob);
  const offsets = finding.state.status === 'done' ? finding.state.result.offsets : null;
  const matchesBefore = useMemo(() => {
    const lineStarts = lines?.lineStarts;
    if (offsets === null || lineStarts == null) return null;
    return (index: number): number => countBelow(offsets, lineStarts[index] ?? Number.POSITIVE_INFINITY);
  }, [offsets, lines]);

  // Enter, Shift+Enter and the arrow buttons move through the matches, and a new search starts
  // over. A move requested while the matches of the text typed are not counted yet waits for them,
  // so typing and pressing Enter at once goes to the first match.
  const [currentIndex, setCurrentIndex] = useState<number | null>(null);
  const pendingStep = useRef<1 | -1 | null>(null);
  useEffect(() => {
    const step = pendingStep.current;
    if (offsets === null) {
      setCurrentIndex(null);
      return;
    }
    pendingStep.current = null;
    if (step === null || offsets.length === 0) setCurrentIndex(null);
    else setCurrentIndex(step === 1 ? 0 : offsets.length - 1);
  }, [offsets]);
  const matchCount = offsets?.length ?? 0;
  const moveMatch = (step: 1 | -1): void => {
    if (search !== findText || finding.state.status === 'running') {
      pendingStep.current = step;
      return;
    }
    if (matchCount === 0) return;
    setCurrentIndex((index) => {
      if (index === null) return step === 1 ? 0 : matchCount - 1;
      return (index + step + matchCount) % matchCount;
    });
  };
  const currentMatch = useMemo((): CurrentMatch | null => {
    const lineStarts = lines?.lineStarts;
    const offset = currentIndex === null ? undefined : offsets?.[currentIndex];
    if (currentIndex === null || offsets === null || offset === undefined || lineStarts == null) return null;
    const line = countBelow(lineStarts, offset + 1) - 1;
    return { index: currentIndex, line, column: offset - (lineStarts[line] ?? 0) };
  }, [currentIndex, offsets, lines]);

  const [hexCopyWanted, setHexCopyWanted] = useState(false);
  const hexDumpJob = useMemo(() => (hexCopyWanted ? ({ kind: 'hex-dump', bytes } as const) : null), [hexCopyWanted, bytes]);
  const dumping = useBodyJob(hexDumpJob);
  const dumpState = dumping.state;
  useEffect(() => {
    if (dumpState.status === 'idle' || dumpState.status === 'running') return;
    setHexCopyWanted(false);
    if (dumpState.status === 'done') copyToClipboard(dumpState.result);
    if (dumpState.status === 'failed') setNotice(`Preparing the hex dump for Copy failed: ${dumpState.message}`);
  }, [dumpState, copyToClipboard]);

  const choose = (option: BodyView): void => {
    setMode(option);
    setNotice(null);
    if (option !== 'hex') setDecodeWanted(true);
  };
  const cancelDecoding = (): void => {
    decoding.cancel();
    setDecodeWanted(false);
    setMode('hex');
    setNotice('Decoding the body was canceled, so the hex view is shown. Choose Pretty or Raw to decode it again.');
  };
  const cancelFormatting = (): void => {
    formatting.cancel();
    setMode('raw');
    setNotice('Formatting the JSON was canceled, so the raw text is shown. Choose Pretty to format it again.');
  };
  const copy = (): void => {
    if (lines === null) return;
    if (lines.text === null) setHexCopyWanted(true);
    else copyToClipboard(lines.text);
  };

  if (detail.truncated) {
    return <p className="hint">{notStoredBodyHint(detail.truncatedReason, formatCount(detail.size))}</p>;
  }
  const view = lines?.view ?? null;
  return (
    <div className="body-tab">
      <div className="panel-actions">
        <div role="radiogroup" aria-label="Body view" className="segmented">
          {MODES.map(({ mode: option, label }, index) => (
            <button
              key={option}
              type="button"
              role="radio"
              aria-checked={mode === option}
              tabIndex={mode === option ? 0 : -1}
              onClick={() => choose(option)}
              onKeyDown={(event) => onRovingKey(event, index, MODES.length, (next) => choose(MODES[next]?.mode ?? option))}
            >
              {label}
            </button>
          ))}
        </div>
        <input
          type="search"
          aria-label="Find in body"
          placeholder="Find in body"
          value={search}
          onChange={(event) => {
            pendingStep.current = null;
            setSearch(event.target.value);
          }}
          onKeyDown={(event) => {
            // The first Escape clears the text, and Escape in the empty field moves the focus out.
            if (event.key === 'Escape') {
              event.preventDefault();
              pendingStep.current = null;
              if (search === '') onLeaveFind();
              else setSearch('');
              return;
            }
            if (event.key !== 'Enter') return;
            event.preventDefault();
            moveMatch(event.shiftKey ? -1 : 1);
          }}
        />
        <button type="button" aria-label="Previous match" title="Previous match (Shift+Enter)" disabled={matchCount === 0} onClick={() => moveMatch(-1)}>
          ↑
        </button>
        <button type="button" aria-label="Next match" title="Next match (Enter)" disabled={matchCount === 0} onClick={() => moveMatch(1)}>
          ↓
        </button>
        <button type="button" onClick={copy} disabled={lines === null || dumping.state.status === 'running'}>
          {copied === 'copied' ? 'Copied' : 'Copy body'}
        </button>
        <CopyFailure outcome={copied} subject="body text" />
        <span>{formatCount(bytes.length)} bytes</span>
      </div>
      {detail.decodedBody !== null && (
        <label className="checkbox">
          <input type="checkbox" checked={asReceived} onChange={(event) => setAsReceived(event.target.checked)} />
          Show the bytes as received ({detail.contentEncoding}-encoded) instead of decoded
        </label>
      )}
      {detail.decodeError !== null && (
        <p className="error">
          Decoding the {detail.contentEncoding} body failed: {detail.decodeError.replace(/\.$/, '')}. Showing the bytes as received.
        </p>
      )}
      <JobNotes decoding={decoding} formatting={formatting} finding={finding} dumping={dumping} onCancelDecoding={cancelDecoding} onCancelFormatting={cancelFormatting} />
      {notice !== null && (
        <p className="note" role="status">
          {notice}
        </p>
      )}
      {decodeFailed !== null && <p className="error">Decoding the body failed: {decodeFailed}. The hex view shows every byte.</p>}
      {formatFailed !== null && mode === 'pretty' && <p className="error">Formatting the JSON failed: {formatFailed}. Showing the raw text.</p>}
      {bodyText !== null && !bodyText.validUtf8 && view !== null && view !== 'hex' && (
        <p className="note">The body is not valid UTF-8: invalid bytes show as �. The hex view shows every byte.</p>
      )}
      {view === 'hex' && search !== '' && <p className="note">Find works in the pretty and raw views.</p>}
      {mode === 'pretty' && pretty?.ok === false && (
        <p className="note" role="status">
          {pretty.code === 'too-deep' ? 'The JSON is nested too deeply to indent' : 'The body is not valid JSON'} ({pretty.message}): showing the raw text.
        </p>
      )}
      {lines !== null && (
        <TextLines
          key={`${lines.view}-${asReceived}`}
          label={`Body, ${lines.view} view`}
          lineCount={lines.lineCount}
          lineAt={lines.lineAt}
          pattern={pattern}
          matchesBefore={matchesBefore}
          currentMatch={currentMatch}
        />
      )}
    </div>
  );
}

type JobHandle = ReturnType<typeof useBodyJob>;

interface JobNotesProps {
  decoding: JobHandle;
  formatting: JobHandle;
  finding: JobHandle;
  dumping: JobHandle;
  onCancelDecoding: () => void;
  onCancelFormatting: () => void;
}

/** Progress and Cancel for each running job, and what became of a canceled or failed find. */
function JobNotes({ decoding, formatting, finding, dumping, onCancelDecoding, onCancelFormatting }: JobNotesProps) {
  return (
    <>
      {decoding.state.status === 'running' && <JobProgress label="Decoding the body" fraction={decoding.state.fraction} onCancel={onCancelDecoding} />}
      {formatting.state.status === 'running' && <JobProgress label="Formatting the JSON" fraction={formatting.state.fraction} onCancel={onCancelFormatting} />}
      {finding.state.status === 'running' && <JobProgress label="Counting matches" fraction={finding.state.fraction} onCancel={finding.cancel} />}
      {finding.state.status === 'canceled' && (
        <p className="note" role="status">
          Counting matches was canceled. Matches in the lines shown are still marked.
        </p>
      )}
      {finding.state.status === 'failed' && <p className="error">Counting matches failed: {finding.state.message}</p>}
      {dumping.state.status === 'running' && <JobProgress label="Preparing the hex dump for Copy" fraction={dumping.state.fraction} onCancel={dumping.cancel} />}
    </>
  );
}
