import { useCallback, useMemo, useState } from 'react';
import type { DeliveryDetail } from '../../../electron/core/contract';
import { decodeBody, hexLine, hexLineCount } from '../lib/bytes';
import { copyText } from '../lib/clipboard';
import { formatCount } from '../lib/format';
import { prettyPrintJson, prettyText } from '../lib/json-pretty';
import type { ViewLine } from './TextLines';
import { TextLines } from './TextLines';

type BodyMode = 'pretty' | 'raw' | 'hex';
const MODES: { mode: BodyMode; label: string }[] = [
  { mode: 'pretty', label: 'Pretty' },
  { mode: 'raw', label: 'Raw' },
  { mode: 'hex', label: 'Hex' },
];

/** Bodies larger than this open in the raw view; the pretty view is one click away. */
const AUTO_PRETTY_MAX_BYTES = 2 * 1024 * 1024;

/**
 * Renders the body as received: pretty JSON that keeps every number and string as written,
 * raw text, or a hex dump for binary. Received text only ever becomes text nodes.
 */
export function BodyTab({ detail }: { detail: DeliveryDetail }) {
  const [asReceived, setAsReceived] = useState(false);
  const bytes = asReceived || detail.decodedBody === null ? detail.body : detail.decodedBody;
  const decoded = useMemo(() => decodeBody(bytes), [bytes]);
  const looksJson = /^\s*[[{"]/.test(decoded.text.slice(0, 64));
  let initialMode: BodyMode = 'raw';
  if (decoded.binary) initialMode = 'hex';
  else if (looksJson && bytes.length <= AUTO_PRETTY_MAX_BYTES) initialMode = 'pretty';
  const [chosenMode, setMode] = useState<BodyMode | null>(null);
  const mode = chosenMode ?? initialMode;
  const [search, setSearch] = useState('');
  const [copied, setCopied] = useState(false);

  const pretty = useMemo(() => (mode === 'pretty' ? prettyPrintJson(decoded.text) : null), [mode, decoded.text]);
  const rawLines = useMemo(() => decoded.text.split(/\r?\n/), [decoded.text]);

  // With invalid or too deeply nested JSON the pretty view falls back to the raw lines.
  let view: BodyMode = 'raw';
  let lineCount = rawLines.length;
  if (mode === 'hex') {
    view = 'hex';
    lineCount = hexLineCount(bytes);
  } else if (mode === 'pretty' && pretty?.ok === true) {
    view = 'pretty';
    lineCount = pretty.lines.length;
  }
  const lineAt = useCallback(
    (index: number): ViewLine => {
      if (view === 'hex') return hexLine(bytes, index);
      if (view === 'pretty' && pretty?.ok === true) {
        const line = pretty.lines[index];
        return line === undefined ? '' : { indent: line.depth, tokens: line.tokens };
      }
      return rawLines[index] ?? '';
    },
    [view, bytes, pretty, rawLines],
  );

  const copy = (): void => {
    let text = decoded.text;
    if (view === 'pretty' && pretty?.ok === true) text = prettyText(pretty.lines);
    if (view === 'hex') text = Array.from({ length: lineCount }, (_, index) => hexLine(bytes, index)).join('\n');
    void copyText(text).then(setCopied);
  };

  if (detail.truncated) {
    return <p className="hint">The body was over the size limit ({formatCount(detail.size)} bytes), so it was not stored. Raise the limit with bodyLimit in the config file.</p>;
  }
  return (
    <div className="body-tab">
      <div className="panel-actions">
        <div role="radiogroup" aria-label="Body view" className="segmented">
          {MODES.map(({ mode: option, label }) => (
            <button key={option} type="button" role="radio" aria-checked={mode === option} onClick={() => setMode(option)}>
              {label}
            </button>
          ))}
        </div>
        <input type="search" aria-label="Find in body" placeholder="Find in body" value={search} onChange={(event) => setSearch(event.target.value)} />
        <button type="button" onClick={copy}>
          {copied ? 'Copied' : 'Copy body'}
        </button>
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
      {!decoded.validUtf8 && view !== 'hex' && <p className="note">The body is not valid UTF-8: invalid bytes show as �. The hex view shows every byte.</p>}
      {view === 'hex' && search !== '' && <p className="note">Find works in the pretty and raw views.</p>}
      {mode === 'pretty' && pretty?.ok === false && (
        <p className="note" role="status">
          {pretty.code === 'too-deep' ? 'The JSON is nested too deeply to indent' : 'The body is not valid JSON'} ({pretty.message}): showing the raw text.
        </p>
      )}
      <TextLines key={`${view}-${asReceived}`} label={`Body, ${view} view`} lineCount={lineCount} lineAt={lineAt} search={view === 'hex' ? '' : search} />
    </div>
  );
}
