import type { ReactNode } from 'react';
import { Fragment, memo, useEffect, useRef, useState } from 'react';
import type { PrettyLine } from '../lib/json-pretty';
import type { MatchRange } from '../lib/find-text';
import { matchRanges } from '../lib/find-text';
import { formatCount } from '../lib/format';
import { escapeBodyText } from './EscapedText';

/** Lines rendered at first and added per "show more", so a 25 MiB body stays responsive. */
export const LINES_PER_STEP = 2000;
/**
 * Lines rendered at most when Find moves on by growing the rendered range. A match farther off
 * replaces the range with the step of lines around it, because rendering every line up to line
 * 45,000 of a pretty 11 MB body froze the page for seconds.
 */
const MAX_GROWN_LINES = 4 * LINES_PER_STEP;
/** Characters of one line rendered; longer lines end with a note and stay whole in Copy. */
export const MAX_LINE_CHARS = 5000;

/** A line of a body view: plain text, or JSON tokens with their kinds for colouring. */
export type ViewLine = string | PrettyLine;

interface TextLinesProps {
  label: string;
  lineCount: number;
  lineAt: (index: number) => ViewLine;
  /** Pattern whose matches are marked in the lines shown; null marks none. */
  pattern: RegExp | null;
  /**
   * Returns how many matches start before line `index`, so `matchesBefore(lineCount)` is the
   * total; null while the matches are not counted.
   */
  matchesBefore: ((index: number) => number) | null;
  /** The match that Find moved to, marked apart and scrolled into view, or null for none. */
  currentMatch: CurrentMatch | null;
}

/**
 * A match chosen in Find: its number among all matches, its line, and the offset where it
 * starts in that line's text, all from 0.
 */
export interface CurrentMatch {
  index: number;
  line: number;
  column: number;
}

/**
 * The start of the current match in the text searched for one line as shown, or null when the
 * match is not on that line or lies in characters cut from the view. `marked` becomes true once
 * a part of it is marked.
 */
interface CurrentMark {
  start: number | null;
  marked: boolean;
}

/** The mark of a line without the current match; its null start never equals a match's start. */
const NO_CURRENT_MARK: CurrentMark = { start: null, marked: false };

/**
 * Splits `text`, which starts at offset `from` of the searched line, around the line's matches.
 * Matched parts become <mark> elements, and the part of the match that starts at `current.start`
 * is marked apart. Received text only ever becomes text nodes, never HTML. Control and invisible
 * characters show as escapes, such as `\x07`, while offsets, find and Copy use the text as received.
 */
function highlight(text: string, from: number, matches: readonly MatchRange[], current: CurrentMark): ReactNode {
  const parts: ReactNode[] = [];
  let at = 0;
  for (const [start, end] of matches) {
    const markStart = Math.max(start - from, at);
    const markEnd = Math.min(end - from, text.length);
    if (markEnd <= markStart) continue;
    if (markStart > at) parts.push(<Fragment key={`text-${at}`}>{escapeBodyText(text.slice(at, markStart))}</Fragment>);
    const isCurrent = start === current.start;
    if (isCurrent) current.marked = true;
    parts.push(
      <mark key={markStart} className={isCurrent ? 'current-match' : undefined}>
        {escapeBodyText(text.slice(markStart, markEnd))}
      </mark>,
    );
    at = markEnd;
  }
  if (parts.length === 0) return escapeBodyText(text);
  if (at < text.length) parts.push(<Fragment key={`text-${at}`}>{escapeBodyText(text.slice(at))}</Fragment>);
  return parts;
}

/**
 * Returns where the rendered characters of a text line start: at 0, or, when the current match
 * starts at `column` beyond the first MAX_LINE_CHARS, in a window around it. A long minified
 * body in the raw view is one such line.
 */
function windowStart(line: string, column: number | null): number {
  if (column === null || column < MAX_LINE_CHARS) return 0;
  let start = Math.max(0, Math.min(column - MAX_LINE_CHARS / 2, line.length - MAX_LINE_CHARS));
  // A window never starts between the two halves of a surrogate pair.
  const code = line.charCodeAt(start);
  if (code >= 0xdc00 && code <= 0xdfff) start -= 1;
  return start;
}

function renderTextLine(line: string, start: number, pattern: RegExp | null, current: CurrentMark): ReactNode {
  const shownText = line.slice(start, start + MAX_LINE_CHARS);
  const after = line.length - start - shownText.length;
  const matches = pattern === null ? [] : matchRanges(shownText, pattern);
  return (
    <>
      {start > 0 && <span className="note">{formatCount(start)} earlier characters on this line … </span>}
      {highlight(shownText, 0, matches, current)}
      {after > 0 && <span className="note"> … {formatCount(after)} more characters on this line (use Copy)</span>}
    </>
  );
}

/**
 * Renders a JSON line with its matches marked. Matches are found in the line as shown, so a
 * match across two tokens is marked in both. A token longer than MAX_LINE_CHARS is cut, and a
 * line break, which find text never contains, follows the cut so no match joins its two sides.
 * `column` is where the current match starts in the line's full text, which cut tokens make
 * differ from its offset in the text searched here.
 */
function renderJsonLine(line: PrettyLine, pattern: RegExp | null, column: number | null, current: CurrentMark): ReactNode {
  const indent = '  '.repeat(line.depth);
  const tokens = line.tokens.map((token) => ({ kind: token.kind, shownText: token.text.slice(0, MAX_LINE_CHARS), cut: token.text.length > MAX_LINE_CHARS, start: 0 }));
  let searched = indent;
  let fullOffset = indent.length;
  if (column !== null && column < indent.length) current.start = column;
  for (const [index, token] of tokens.entries()) {
    token.start = searched.length;
    const inToken = column !== null && column >= fullOffset && column - fullOffset < (line.tokens[index]?.text.length ?? 0);
    if (inToken && column - fullOffset < token.shownText.length) current.start = token.start + column - fullOffset;
    fullOffset += line.tokens[index]?.text.length ?? 0;
    searched += token.cut ? `${token.shownText}\n` : token.shownText;
  }
  const matches = pattern === null ? [] : matchRanges(searched, pattern);

  return (
    <>
      {highlight(indent, 0, matches, current)}
      {tokens.map((token, index) => (
        <span key={index} className={`json-${token.kind}`}>
          {highlight(token.shownText, token.start, matches, current)}
          {token.cut && ' …'}
        </span>
      ))}
    </>
  );
}

/** The lines rendered, from `first` up to but not including `end`. */
interface LineRange {
  first: number;
  end: number;
}

/**
 * Returns the range to render so that `line` is in it: `range` itself, `range` grown by the
 * steps up to `line` while it stays within MAX_GROWN_LINES, or else the step around `line`.
 */
function rangeWith(range: LineRange, line: number): LineRange {
  if (line >= range.first && line < range.end) return range;
  const stepStart = Math.floor(line / LINES_PER_STEP) * LINES_PER_STEP;
  const grown = { first: Math.min(range.first, stepStart), end: Math.max(range.end, stepStart + LINES_PER_STEP) };
  if (grown.end - grown.first <= MAX_GROWN_LINES) return grown;
  return { first: stepStart, end: stepStart + LINES_PER_STEP };
}

/**
 * Numbered lines of a body view, rendered in steps, with search matches marked. It is memoized,
 * so progress updates of a running job do not render thousands of lines again.
 */
export const TextLines = memo(function TextLines({ label, lineCount, lineAt, pattern, matchesBefore, currentMatch }: TextLinesProps) {
  const [range, setRange] = useState<LineRange>({ first: 0, end: LINES_PER_STEP });
  const code = useRef<HTMLDivElement>(null);
  const first = Math.min(range.first, lineCount);
  const end = Math.min(range.end, lineCount);
  const total = matchesBefore?.(lineCount) ?? 0;
  const notShown = total - ((matchesBefore?.(end) ?? 0) - (matchesBefore?.(first) ?? 0));

  // A match in a line not rendered yet first renders the lines around it. Only a move to a match
  // scrolls, so showing more lines afterwards keeps the scroll position.
  const scrollRequested = useRef(false);
  const currentLine = currentMatch?.line ?? null;
  useEffect(() => {
    scrollRequested.current = currentMatch !== null;
  }, [currentMatch]);
  useEffect(() => {
    if (currentLine !== null) setRange((shown) => rangeWith(shown, currentLine));
  }, [currentLine]);
  useEffect(() => {
    if (!scrollRequested.current || currentMatch === null || currentMatch.line < first || currentMatch.line >= end) return;
    scrollRequested.current = false;
    // The mark is centred both ways, so a match far into a long line scrolls the code sideways
    // too, and the sticky line numbers stay in view. A match past a line's rendered characters
    // has no mark, so its line is scrolled to instead, which keeps the sideways scroll.
    const mark = code.current?.querySelector('.current-match');
    if (mark != null) mark.scrollIntoView({ block: 'center', inline: 'center' });
    else code.current?.querySelector(`[data-line="${currentMatch.line}"]`)?.scrollIntoView({ block: 'center', inline: 'nearest' });
  }, [currentMatch, first, end]);

  const rows: ReactNode[] = [];
  const current: CurrentMark = { start: null, marked: false };
  for (let index = first; index < end; index++) {
    const line = lineAt(index);
    const column = currentMatch?.line === index ? currentMatch.column : null;
    const mark = column === null ? NO_CURRENT_MARK : current;
    const start = typeof line === 'string' ? windowStart(line, column) : 0;
    if (column !== null && typeof line === 'string') current.start = column - start;
    rows.push(
      <div key={index} className="code-line" data-line={index}>
        <span className="line-number" aria-hidden="true">
          {index + 1}
        </span>
        <span className="line-text">{typeof line === 'string' ? renderTextLine(line, start, pattern, mark) : renderJsonLine(line, pattern, column, mark)}</span>
      </div>,
    );
  }
  // A current match in characters cut from its line has no mark, so the count line names its line.
  const currentCut = currentMatch !== null && currentMatch.line >= first && currentMatch.line < end && !current.marked;

  return (
    <div className="text-lines">
      {matchesBefore !== null && (
        <p className="match-count" role="status">
          {currentMatch !== null && `${formatCount(currentMatch.index + 1)} of `}
          {formatCount(total)} match{total === 1 ? '' : 'es'}
          {notShown > 0 && `, ${formatCount(notShown)} in lines not shown yet`}
          {currentCut && ` (this one lies beyond the ${formatCount(MAX_LINE_CHARS)} characters shown of line ${formatCount(currentMatch.line + 1)}; switch to Raw to see it)`}
        </p>
      )}
      {first > 0 && (
        <button type="button" onClick={() => setRange((shown) => ({ ...shown, first: Math.max(0, shown.first - LINES_PER_STEP) }))}>
          Show {formatCount(Math.min(LINES_PER_STEP, first))} earlier lines ({formatCount(first)} not shown)
        </button>
      )}
      <div className="code" role="group" aria-label={label} ref={code}>
        {rows}
      </div>
      {lineCount > end && (
        <button type="button" onClick={() => setRange((shown) => ({ ...shown, end: shown.end + LINES_PER_STEP }))}>
          Show {formatCount(Math.min(LINES_PER_STEP, lineCount - end))} more lines ({formatCount(lineCount - end)} not shown)
        </button>
      )}
    </div>
  );
});
