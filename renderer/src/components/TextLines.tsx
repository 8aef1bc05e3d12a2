import type { ReactNode } from 'react';
import { useMemo, useState } from 'react';
import type { Token } from '../lib/json-pretty';
import type { MatchRange } from '../lib/find-text';
import { countMatches, findPattern, matchRanges } from '../lib/find-text';
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

/**
 * Splits `text`, which starts at offset `from` of its line, around the line's matches. Matched
 * parts become <mark> elements. Received text only ever becomes text nodes, never HTML.
 */
function highlight(text: string, from: number, matches: readonly MatchRange[]): ReactNode {
  const parts: ReactNode[] = [];
  let at = 0;
  for (const [start, end] of matches) {
    const markStart = Math.max(start - from, at);
    const markEnd = Math.min(end - from, text.length);
    if (markEnd <= markStart) continue;
    if (markStart > at) parts.push(text.slice(at, markStart));
    parts.push(<mark key={markStart}>{text.slice(markStart, markEnd)}</mark>);
    at = markEnd;
  }
  if (parts.length === 0) return text;
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}

/**
 * Renders a line with its matches marked. Matches are found in the whole line text, so a match
 * across two JSON tokens is marked in both, and the count and the marks agree.
 */
function renderLine(line: ViewLine, pattern: RegExp | null): ReactNode {
  const matches = pattern === null ? [] : matchRanges(lineText(line), pattern);
  if (typeof line === 'string') {
    const visibleText = line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line;
    return (
      <>
        {highlight(visibleText, 0, matches)}
        {line.length > MAX_LINE_CHARS && <span className="note"> … {formatCount(line.length - MAX_LINE_CHARS)} more characters on this line (use Copy)</span>}
      </>
    );
  }
  const indent = '  '.repeat(line.indent);
  let from = indent.length;
  return (
    <>
      {highlight(indent, 0, matches)}
      {line.tokens.map((token, index) => {
        const tokenStart = from;
        from += token.text.length;
        const shownText = token.text.length > MAX_LINE_CHARS ? token.text.slice(0, MAX_LINE_CHARS) : token.text;
        return (
          <span key={index} className={`json-${token.kind}`}>
            {highlight(shownText, tokenStart, matches)}
            {shownText.length < token.text.length && ' …'}
          </span>
        );
      })}
    </>
  );
}

/** Numbered lines of a body view, rendered in steps, with search matches marked. */
export function TextLines({ label, lineCount, lineAt, search }: TextLinesProps) {
  const [shownLines, setShownLines] = useState(LINES_PER_STEP);
  const pattern = useMemo(() => findPattern(search), [search]);
  const visible = Math.min(shownLines, lineCount);

  const matches = useMemo(() => {
    if (pattern === null) return null;
    let total = 0;
    let inVisible = 0;
    for (let index = 0; index < lineCount; index++) {
      const found = countMatches(lineText(lineAt(index)), pattern);
      total += found;
      if (index < visible) inVisible += found;
    }
    return { total, inVisible };
  }, [pattern, lineCount, lineAt, visible]);

  const rows: ReactNode[] = [];
  for (let index = 0; index < visible; index++) {
    rows.push(
      <div key={index} className="code-line">
        <span className="line-number" aria-hidden="true">
          {index + 1}
        </span>
        <span className="line-text">{renderLine(lineAt(index), pattern)}</span>
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
