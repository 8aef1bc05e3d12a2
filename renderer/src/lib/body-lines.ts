/** The lines a body view shows, cut out of the body on demand rather than all at once. */
import type { BodyText } from './body-jobs';
import { hexLine, hexLineCount } from './bytes';
import type { PrettyDocument, PrettyLine } from './json-pretty';
import { prettyLineAt, prettyLineCount } from './json-pretty';
import { lineAt, lineCountOf } from './line-index';

export type BodyView = 'pretty' | 'raw' | 'hex';

export interface BodyLines {
  view: BodyView;
  lineCount: number;
  lineAt: (index: number) => string | PrettyLine;
  /** The text that find searches and Copy copies; null for the hex view, which find skips. */
  text: string | null;
  /** Offset in `text` where each line starts, then `text.length + 1`; null for the hex view. */
  lineStarts: Uint32Array | null;
}

export function hexLines(bytes: Uint8Array): BodyLines {
  return { view: 'hex', lineCount: hexLineCount(bytes), lineAt: (index) => hexLine(bytes, index), text: null, lineStarts: null };
}

export function rawLines(body: BodyText): BodyLines {
  const { text, lineStarts } = body;
  return { view: 'raw', lineCount: lineCountOf(lineStarts), lineAt: (index) => lineAt(text, lineStarts, index), text, lineStarts };
}

export function prettyLines(document: PrettyDocument): BodyLines {
  return { view: 'pretty', lineCount: prettyLineCount(document), lineAt: (index) => prettyLineAt(document, index), text: document.text, lineStarts: document.lineStarts };
}
