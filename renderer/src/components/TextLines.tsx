import type { ReactNode } from 'react';
import { useMemo, useState } from 'react';
import type { Token } from '../lib/json-pretty';
import { formatCount } from '../lib/format';

/** Lines rendered at first and added per "show more", so a 25 MiB body stays responsive. */
export const LINES_PER_STEP = 2000;
/** Characters of one line rendered; longer lines end with a note and stay whole in Copy. */
export const MAX_LINE_CHARS = 5000;

/** A line of a body view: plain text, or JSON tokens with their kinds for colouring. */
export type ViewLine = string | { indent: number; tokens: Token[] };

interface TextLinesProps {
  label: string;
  lineCount: number;
  lineAt: (index: number) => ViewLine;
  search: string;
}

function lineText(line: ViewLine): string {
  return typeof line === 'string' ? line : '  '.repeat(line.indent) + line.tokens.map((token) => token.text).join('');
}

function countMatches(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) count += 1;
  return count;
}

/** Splits text around case-insensitive matches of `search`, marking each match. Text only, never HTML. */
function highlight(text: string, search: string): ReactNode {
  if (search === '') return text;
  const lower = text.toLowerCase();
  const parts: ReactNode[] = [];
  let from = 0;
  for (let at = lower.indexOf(search); at >= 0; at = lower.indexOf(search, at + search.length)) {
    if (at > from) parts.push(text.slice(from, at));
    parts.push(<mark key={at}>{text.slice(at, at + search.length)}</mark>);
    from = at + search.length;
  }
  if (from < text.length) parts.push(text.slice(from));
  return parts;
}

function renderLine(line: ViewLine, search: string): ReactNode {
  if (typeof line === 'string') {
    const visibleText = line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line;
    return (
      <>
        {highlight(visibleText, search)}
        {line.length > MAX_LINE_CHARS && <span className="note"> … {formatCount(line.length - MAX_LINE_CHARS)} more characters on this line (use Copy)</span>}
      </>
    );
  }
  return (
    <>
      {'  '.repeat(line.indent)}
      {line.tokens.map((token, index) => (
        <span key={index} className={`json-${token.kind}`}>
          {highlight(token.text.length > MAX_LINE_CHARS ? `${token.text.slice(0, MAX_LINE_CHARS)} …` : token.text, search)}
        </span>
      ))}
    </>
  );
}

/** Numbered lines of a body view, rendered in steps, with search matches marked. */
export function TextLines({ label, lineCount, lineAt, search }: TextLinesProps) {
  const [shownLines, setShownLines] = useState(LINES_PER_STEP);
  const needle = search.toLowerCase();
  const visible = Math.min(shownLines, lineCount);

  const matches = useMemo(() => {
    if (needle === '') return null;
    let total = 0;
    let inVisible = 0;
    for (let index = 0; index < lineCount; index++) {
      const found = countMatches(lineText(lineAt(index)).toLowerCase(), needle);
      total += found;
      if (index < visible) inVisible += found;
    }
    return { total, inVisible };
  }, [needle, lineCount, lineAt, visible]);

  const rows: ReactNode[] = [];
  for (let index = 0; index < visible; index++) {
    rows.push(
      <div key={index} className="code-line">
        <span className="line-number" aria-hidden="true">
          {index + 1}
        </span>
        <span className="line-text">{renderLine(lineAt(index), needle)}</span>
      </div>,
    );
  }

  return (
    <div className="text-lines">
      {matches !== null && (
        <p className="match-count" role="status">
          {formatCount(matches.total)} match{matches.total === 1 ? '' : 'es'}
          {matches.total > matches.inVisible && `, ${formatCount(matches.total - matches.inVisible)} in lines not shown yet`}
        </p>
      )}
      <div className="code" role="group" aria-label={label}>
        {rows}
      </div>
      {lineCount > visible && (
        <button type="button" onClick={() => setShownLines((value) => value + LINES_PER_STEP)}>
          Show {formatCount(Math.min(LINES_PER_STEP, lineCount - visible))} more lines ({formatCount(lineCount - visible)} not shown)
        </button>
      )}
    </div>
  );
}
