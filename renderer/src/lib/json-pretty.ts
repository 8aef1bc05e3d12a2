/**
 * A pretty printer for JSON that never calls JSON.parse: it tokenizes the text and re-indents
 * it, so every number and string keeps its received spelling (12345678901234567890 stays
 * exact, 1.0 keeps its ".0", "\u00e9" keeps its escape). It works without recursion, so a
 * deeply nested body cannot overflow the stack; past `maxDepth` it reports `too-deep`.
 */

export type TokenKind = 'key' | 'string' | 'number' | 'literal' | 'punctuation';

export interface Token {
  kind: TokenKind;
  text: string;
}

export interface PrettyLine {
  depth: number;
  tokens: Token[];
}

export type PrettyResult =
  | { ok: true; lines: PrettyLine[] }
  | { ok: false; code: 'invalid-json' | 'too-deep'; message: string; offset: number };

export const DEFAULT_MAX_DEPTH = 200;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
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

/** Tokenizes and re-indents JSON text; returns why when it is not valid JSON. */
export function prettyPrintJson(text: string, maxDepth = DEFAULT_MAX_DEPTH): PrettyResult {
  try {
    return { ok: true, lines: layout(text, maxDepth) };
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return { ok: false, code: error.code, message: `${error.message} at character ${error.offset + 1}`, offset: error.offset };
  }
}

function layout(text: string, maxDepth: number): PrettyLine[] {
  const lines: PrettyLine[] = [];
  const stack: Frame[] = [];
  let line: PrettyLine = { depth: 0, tokens: [] };
  let index = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let done = false;

  const newLine = (depth: number): void => {
    lines.push(line);
    line = { depth, tokens: [] };
  };
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

    if (top !== undefined && top.expect === 'separator') {
      if (char === ',') {
        line.tokens.push({ kind: 'punctuation', text: ',' });
        newLine(stack.length);
        top.expect = top.kind === 'object' ? 'key' : 'value';
        index += 1;
        continue;
      }
      closeContainer(char, top, index);
      stack.pop();
      newLine(stack.length);
      line.tokens.push({ kind: 'punctuation', text: char });
      index += 1;
      valueEnded();
      continue;
    }

    if (top !== undefined && top.kind === 'object' && (top.expect === 'first' || top.expect === 'key')) {
      if (char === '}' && top.expect === 'first') {
        stack.pop();
        line.tokens.push({ kind: 'punctuation', text: '}' });
        index += 1;
        valueEnded();
        continue;
      }
      if (char !== '"') throw new JsonSyntaxError('Expected a property name in double quotes', index);
      const end = scanString(text, index);
      line.tokens.push({ kind: 'key', text: text.slice(index, end) });
      index = end;
      top.expect = 'colon';
      continue;
    }

    if (top !== undefined && top.expect === 'colon') {
      if (char !== ':') throw new JsonSyntaxError('Expected ":" after a property name', index);
      line.tokens.push({ kind: 'punctuation', text: ': ' });
      index += 1;
      top.expect = 'value';
      continue;
    }

    if (top !== undefined && top.kind === 'array' && top.expect === 'first' && char === ']') {
      stack.pop();
      line.tokens.push({ kind: 'punctuation', text: ']' });
      index += 1;
      valueEnded();
      continue;
    }

    // A value: the document's root, an array item or a property's value.
    if (char === '{' || char === '[') {
      if (stack.length >= maxDepth) throw new JsonSyntaxError(`Nested deeper than ${maxDepth} levels`, index, 'too-deep');
      line.tokens.push({ kind: 'punctuation', text: char });
      index += 1;
      stack.push({ kind: char === '{' ? 'object' : 'array', expect: 'first' });
      skipWhitespace();
      // An empty container stays on one line: `{}` or `[]`.
      if (text[index] !== (char === '{' ? '}' : ']')) newLine(stack.length);
      continue;
    }
    index = readScalar(text, index, line);
    valueEnded();
  }

  if (!done) throw new JsonSyntaxError(stack.length > 0 ? 'Unexpected end of the text inside a container' : 'No JSON value', index);
  lines.push(line);
  return lines;
}

function closeContainer(char: string, top: Frame, index: number): void {
  const expected = top.kind === 'object' ? '}' : ']';
  if (char !== expected) throw new JsonSyntaxError(`Expected "," or "${expected}"`, index);
}

/** Reads a string, number or literal at `index` onto the line and returns the index after it. */
function readScalar(text: string, index: number, line: PrettyLine): number {
  const char = text[index];
  if (char === '"') {
    const end = scanString(text, index);
    line.tokens.push({ kind: 'string', text: text.slice(index, end) });
    return end;
  }
  NUMBER.lastIndex = index;
  const number = NUMBER.exec(text);
  if (number !== null) {
    line.tokens.push({ kind: 'number', text: number[0] });
    return index + number[0].length;
  }
  for (const literal of LITERALS) {
    if (text.startsWith(literal, index)) {
      line.tokens.push({ kind: 'literal', text: literal });
      return index + literal.length;
    }
  }
  throw new JsonSyntaxError('Unexpected character', index);
}

/** Joins pretty lines into text with two spaces per level, for copying. */
export function prettyText(lines: readonly PrettyLine[]): string {
  return lines.map((line) => '  '.repeat(line.depth) + line.tokens.map((token) => token.text).join('')).join('\n');
}
