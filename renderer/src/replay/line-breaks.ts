/**
 * Line breaks of an edited body. A browser's text area turns every CRLF and lone CR into LF
 * (HTML's textarea value normalization), so text edited there would lose the line breaks it
 * was received with. These functions put them back before the body is sent.
 */

export type LineBreak = '\r\n' | '\n' | '\r';

/** How many line breaks of each kind a text contains. */
export interface LineBreakCounts {
  crlf: number;
  lf: number;
  cr: number;
}

const LINE_BREAK = /\r\n|\r|\n/g;

/** Names of the line breaks, as notes and HTTP specifications write them. */
const BREAK_NAMES: Record<LineBreak, string> = { '\r\n': 'CRLF', '\n': 'LF', '\r': 'CR' };

export function countLineBreaks(text: string): LineBreakCounts {
  const counts: LineBreakCounts = { crlf: 0, lf: 0, cr: 0 };
  for (const [lineBreak] of text.matchAll(LINE_BREAK)) {
    if (lineBreak === '\r\n') counts.crlf += 1;
    else if (lineBreak === '\n') counts.lf += 1;
    else counts.cr += 1;
  }
  return counts;
}

/**
 * Returns the line break that new lines get: the one the text uses most, CRLF before LF before
 * CR on a tie, and LF for a text without line breaks.
 */
export function preferredLineBreak(counts: LineBreakCounts): LineBreak {
  if (counts.crlf === 0 && counts.lf === 0 && counts.cr === 0) return '\n';
  if (counts.crlf >= counts.lf && counts.crlf >= counts.cr) return '\r\n';
  return counts.lf >= counts.cr ? '\n' : '\r';
}

/** Splits a text into its lines and the line break after each; the last line has none (''). */
function splitLines(text: string): { lines: string[]; breaks: string[] } {
  const lines: string[] = [];
  const breaks: string[] = [];
  let start = 0;
  for (const match of text.matchAll(LINE_BREAK)) {
    lines.push(text.slice(start, match.index));
    breaks.push(match[0]);
    start = match.index + match[0].length;
  }
  lines.push(text.slice(start));
  breaks.push('');
  return { lines, breaks };
}

/**
 * Returns `edited` with the line breaks of `original`, the text it was edited from. Lines before
 * and after the edited part keep their own line break. In the edited part, the n-th line gets the
 * break of the n-th original line there, and lines beyond those get the preferred line break. So
 * an edit that keeps the line count keeps every line break, and a text with a single kind of line
 * break keeps that kind throughout. Any CR or CRLF in `edited` counts as a line break too.
 */
export function restoreLineBreaks(original: string, edited: string): string {
  const before = splitLines(original);
  const after = splitLines(edited).lines;
  const fallback = preferredLineBreak(countLineBreaks(original));

  const shared = Math.min(before.lines.length, after.length);
  let prefix = 0;
  while (prefix < shared && before.lines[prefix] === after[prefix]) prefix += 1;
  let suffix = 0;
  while (suffix < shared - prefix && before.lines[before.lines.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix += 1;

  // Index of the original line whose break each edited line takes, or -1 for the fallback.
  const originalIndex = (index: number): number => {
    if (index < prefix) return index;
    if (index >= after.length - suffix) return before.lines.length - (after.length - index);
    return index < before.lines.length - suffix ? index : -1;
  };

  let result = '';
  for (const [index, line] of after.entries()) {
    result += line;
    if (index === after.length - 1) break;
    const source = originalIndex(index);
    result += (source >= 0 ? before.breaks[source] : '') || fallback;
  }
  return result;
}

/**
 * Returns the note shown beside an editable body about the line breaks it is sent with, or null
 * when the body has only LF breaks or none, which a text area keeps as they are.
 */
export function lineBreakNote(counts: LineBreakCounts): string | null {
  const kinds = (['crlf', 'lf', 'cr'] as const).filter((kind) => counts[kind] > 0);
  if (kinds.length === 0 || (kinds.length === 1 && kinds[0] === 'lf')) return null;
  if (kinds.length === 1) return `Line breaks are sent as ${kinds[0] === 'crlf' ? 'CRLF' : 'CR'}, as received.`;

  const tally = kinds.map((kind) => `${counts[kind]} ${kind.toUpperCase()}`).join(', ');
  return `The body mixes line breaks (${tally}). Each line is sent with the line break it was received with, and new lines with ${BREAK_NAMES[preferredLineBreak(counts)]}.`;
}
