/**
 * A pretty printer for JSON that never calls JSON.parse: it tokenizes the text and re-indents
 * it, so every number and string keeps its received spelling (12345678901234567890 stays
 * exact, 1.0 keeps its ".0", "\u00e9" keeps its escape). It works without recursion, so a
 * deeply nested body cannot overflow the stack; past `maxDepth` it reports `too-deep`.
 * It returns the result as one string plus typed arrays of offsets, not an object per token,
 * so a 20 MiB body costs tens of megabytes (estimate) and the result moves out of a Web Worker
 * cheaply.
 */
import { Uint32Builder } from './uint32-builder';

export const TOKEN_KINDS = ['key', 'string', 'number', 'literal', 'punctuation'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

export interface Token {
  kind: TokenKind;
  text: string;
}

/** One line of pretty JSON: its nesting depth and its tokens. */
export interface PrettyLine {
  depth: number;
  tokens: Token[];
}

/**
 * Pretty JSON with two spaces of indent per level. Each line's tokens follow its indent with
 * nothing between them, so a token ends where the next one starts or where its line ends.
 */
export interface PrettyDocument {
  /** The whole indented text with lines joined by "\n", which Copy copies. */
  text: string;
  /** Offset in `text` where each line starts, then `text.length + 1`. */
  lineStarts: Uint32Array;
  /** Index of each line's first token, then the number of tokens. */
  lineTokens: Uint32Array;
  /** Offset in `text` where each token starts. */
  tokenStarts: Uint32Array;
  /** Kind of each token, as an index into TOKEN_KINDS. */
  tokenKinds: Uint32Array;
}

export type PrettyResult =
  | { ok: true; document: PrettyDocument }
  | { ok: false; code: 'invalid-json' | 'too-deep'; message: string; offset: number };

export const DEFAULT_MAX_DEPTH = 200;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
/** Characters of input between two progress reports. */
const PROGRESS_STEP_CHARS = 1 << 20;
const LITERALS = ['true', 'false', 'null'] as const;

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly code: 'invalid-json' | 'too-deep' = 'invalid-json',
  ) {
    super(message);
  }
}

function isWhitespace(char: string | undefined): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r';
}

/** Returns the index just past the string literal that starts at `start` (a `"`). */
function scanString(text: string, start: number): number {
  let index = start + 1;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === 0x22) return index + 1;
    if (code < 0x20) throw new JsonSyntaxError(`Control character U+${code.toString(16).padStart(4, '0')} inside a string`, index);
    if (code === 0x5c) {
      const escape = text[index + 1];
      if (escape === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(index + 2, index + 6))) throw new JsonSyntaxError('Invalid \\u escape', index);
        index += 6;
        continue;
      }
      if (escape === undefined || !'"\\/bfnrt'.includes(escape)) throw new JsonSyntaxError('Invalid escape in a string', index);
      index += 2;
      continue;
    }
    index += 1;
  }
  throw new JsonSyntaxError('Unterminated string', start);
}

interface Frame {
  kind: 'object' | 'array';
  /** Token the parser expects next inside this container. */
  expect: 'first' | 'key' | 'colon' | 'value' | 'separator';
}

/**
 * Tokenizes and re-indents JSON text; returns why when it is not valid JSON. `onProgress`
 * receives the share of the input read so far, from 0 to 1, about once per MiB.
 */
export function prettyPrintJson(text: string, maxDepth = DEFAULT_MAX_DEPTH, onProgress?: (fraction: number) => void): PrettyResult {
  try {
    return { ok: true, document: layout(text, maxDepth, onProgress) };
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return { ok: false, code: error.code, message: `${error.message} at character ${error.offset + 1}`, offset: error.offset };
  }
}

/** Pieces of text joined into one block at a time; joining millions of pieces at once spent most of the time in garbage collection. */
const PIECES_PER_BLOCK = 4096;

/** Collects the pretty text and the offsets of its lines and tokens. */
class DocumentBuilder {
  private pieces: string[] = [];
  private readonly blocks: string[] = [];
  private offset = 0;
  private readonly indents: string[] = [''];
  private readonly lineStarts = new Uint32Builder();
  private readonly lineTokens = new Uint32Builder();
  private readonly tokenStarts = new Uint32Builder();
  private readonly tokenKinds = new Uint32Builder();

  constructor() {
    this.lineStarts.push(0);
    this.lineTokens.push(0);
  }

  token(kind: TokenKind, text: string): void {
    this.tokenStarts.push(this.offset);
    this.tokenKinds.push(TOKEN_KINDS.indexOf(kind));
    this.append(text);
  }

  newLine(depth: number): void {
    const indent = (this.indents[depth] ??= '  '.repeat(depth));
    this.append('\n');
    this.lineStarts.push(this.offset);
    this.lineTokens.push(this.tokenStarts.length);
    this.append(indent);
  }

  private append(text: string): void {
    this.pieces.push(text);
    this.offset += text.length;
    if (this.pieces.length < PIECES_PER_BLOCK) return;
    this.blocks.push(this.pieces.join(''));
    this.pieces = [];
  }

  finish(): PrettyDocument {
    this.lineStarts.push(this.offset + 1);
    this.lineTokens.push(this.tokenStarts.length);
    return {
      text: this.blocks.join('') + this.pieces.join(''),
      lineStarts: this.lineStarts.toArray(),
      lineTokens: this.lineTokens.toArray(),
      tokenStarts: this.tokenStarts.toArray(),
      tokenKinds: this.tokenKinds.toArray(),
    };
  }
}

function layout(text: string, maxDepth: number, onProgress?: (fraction: number) => void): PrettyDocument {
  const out = new DocumentBuilder();
  const stack: Frame[] = [];
  let index = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let done = false;
  let nextProgressAt = PROGRESS_STEP_CHARS;

  const skipWhitespace = (): void => {
    while (isWhitespace(text[index])) index += 1;
  };
  const valueEnded = (): void => {
    const top = stack.at(-1);
    if (top === undefined) done = true;
    else top.expect = 'separator';
  };

  for (;;) {
    skipWhitespace();
    const char = text[index];
    const top = stack.at(-1);
    if (char === undefined) break;
    if (done) throw new JsonSyntaxError('Unexpected text after the JSON value', index);
    if (onProgress !== undefined && index >= nextProgressAt) {
      onProgress(index / text.length);
      nextProgressAt = index + PROGRESS_STEP_CHARS;
    }

    if (top !== undefined && top.expect === 'separator') {
      if (char === ',') {
        out.token('punctuation', ',');
        out.newLine(stack.length);
        top.expect = top.kind === 'object' ? 'key' : 'value';
        index += 1;
        continue;
      }
      closeContainer(char, top, index);
      stack.pop();
      out.newLine(stack.length);
      out.token('punctuation', char);
      index += 1;
      valueEnded();
      continue;
    }

    if (top !== undefined && top.kind === 'object' && (top.expect === 'first' || top.expect === 'key')) {
      if (char === '}' && top.expect === 'first') {
        stack.pop();
        out.token('punctuation', '}');
        index += 1;
        valueEnded();
        continue;
      }
      if (char !== '"') throw new JsonSyntaxError('Expected a property name in double quotes', index);
      const end = scanString(text, index);
      out.token('key', text.slice(index, end));
      index = end;
      top.expect = 'colon';
      continue;
    }

    if (top !== undefined && top.expect === 'colon') {
      if (char !== ':') throw new JsonSyntaxError('Expected ":" after a property name', index);
      out.token('punctuation', ': ');
      index += 1;
      top.expect = 'value';
      continue;
    }

    if (top !== undefined && top.kind === 'array' && top.expect === 'first' && char === ']') {
      stack.pop();
      out.token('punctuation', ']');
      index += 1;
      valueEnded();
      continue;
    }

    // A value: the document's root, an array item or a property's value.
    if (char === '{' || char === '[') {
      if (stack.length >= maxDepth) throw new JsonSyntaxError(`Nested deeper than ${maxDepth} levels`, index, 'too-deep');
      out.token('punctuation', char);
      index += 1;
      stack.push({ kind: char === '{' ? 'object' : 'array', expect: 'first' });
      skipWhitespace();
      // An empty container stays on one line: `{}` or `[]`.
      if (text[index] !== (char === '{' ? '}' : ']')) out.newLine(stack.length);
      continue;
    }
    index = readScalar(text, index, out);
    valueEnded();
  }

  if (!done) throw new JsonSyntaxError(stack.length > 0 ? 'Unexpected end of the text inside a container' : 'No JSON value', index);
  return out.finish();
}

function closeContainer(char: string, top: Frame, index: number): void {
  const expected = top.kind === 'object' ? '}' : ']';
  if (char !== expected) throw new JsonSyntaxError(`Expected "," or "${expected}"`, index);
}

/** Reads a string, number or literal at `index` into the document and returns the index after it. */
function readScalar(text: string, index: number, out: DocumentBuilder): number {
  const char = text[index];
  if (char === '"') {
    const end = scanString(text, index);
    out.token('string', text.slice(index, end));
    return end;
  }
  NUMBER.lastIndex = index;
  const number = NUMBER.exec(text);
  if (number !== null) {
    out.token('number', number[0]);
    return index + number[0].length;
  }
  for (const literal of LITERALS) {
    if (text.startsWith(literal, index)) {
      out.token('literal', literal);
      return index + literal.length;
    }
  }
  throw new JsonSyntaxError('Unexpected character', index);
}

export function prettyLineCount(document: PrettyDocument): number {
  return document.lineStarts.length - 1;
}

/** Returns line `index` of a document with its depth and tokens, for rendering. */
export function prettyLineAt(document: PrettyDocument, index: number): PrettyLine {
  const { text, lineStarts, lineTokens, tokenStarts, tokenKinds } = document;
  const lineStart = lineStarts[index] ?? 0;
  const lineEnd = (lineStarts[index + 1] ?? lineStart + 1) - 1;
  const firstToken = lineTokens[index] ?? 0;
  const endToken = lineTokens[index + 1] ?? firstToken;
  const tokens: Token[] = [];
  for (let token = firstToken; token < endToken; token++) {
    const start = tokenStarts[token] ?? lineEnd;
    const end = token + 1 < endToken ? (tokenStarts[token + 1] ?? lineEnd) : lineEnd;
    tokens.push({ kind: TOKEN_KINDS[tokenKinds[token] ?? 0] ?? 'punctuation', text: text.slice(start, end) });
  }
  const indentChars = (tokenStarts[firstToken] ?? lineEnd) - lineStart;
  return { depth: firstToken < endToken ? indentChars / 2 : 0, tokens };
}
