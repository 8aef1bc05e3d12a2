/**
 * Re-serializations of a JSON text that keep every number and string token as received,
 * so the diagnosis can test whether a signature covers another layout of the same JSON.
 */

interface Token {
  kind: 'string' | 'scalar' | 'punct';
  text: string;
}

/** Splits a JSON object or array into tokens, dropping whitespace; null when it is not one. */
export function tokenizeJson(text: string): Token[] | null {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i] as string;
    if (isJsonWhitespace(char)) {
      i += 1;
    } else if ('{}[]:,'.includes(char)) {
      tokens.push({ kind: 'punct', text: char });
      i += 1;
    } else if (char === '"') {
      const end = stringEnd(text, i);
      if (end === -1) return null;
      tokens.push({ kind: 'string', text: text.slice(i, end + 1) });
      i = end + 1;
    } else {
      const match = /^[-+.0-9eEa-z]+/.exec(text.slice(i, i + 512));
      if (match === null) return null;
      tokens.push({ kind: 'scalar', text: match[0] });
      i += match[0].length;
    }
  }
  const first = tokens[0]?.text;
  return first === '{' || first === '[' ? tokens : null;
}

/** Returns the index of the quote that closes the string opened at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i += 1) {
    const char = text[i];
    if (char === '\\') i += 1;
    else if (char === '"') return i;
  }
  return -1;
}

export type JsonLayout = 'compact' | 'spaced' | 'indent2' | 'indent4' | 'tabs';

const SPACED_PUNCTUATION: Record<string, string> = { ',': ', ', ':': ': ' };
const INDENT_UNITS: Record<'indent2' | 'indent4' | 'tabs', string> = { indent2: '  ', indent4: '    ', tabs: '\t' };

/** Writes tokens in a layout: `spaced` is Python's `json.dumps` default, the indents match `JSON.stringify`. */
export function layoutJson(tokens: readonly Token[], layout: JsonLayout): string {
  if (layout === 'compact') return tokens.map((token) => token.text).join('');
  if (layout === 'spaced') return tokens.map((token) => SPACED_PUNCTUATION[token.text] ?? token.text).join('');

  const unit = INDENT_UNITS[layout];
  let depth = 0;
  let out = '';
  for (const [index, token] of tokens.entries()) {
    const next = tokens[index + 1]?.text;
    if (token.kind !== 'punct') {
      out += token.text;
    } else if (token.text === '{' || token.text === '[') {
      out += token.text;
      // An empty container stays on one line, as JSON.stringify writes it.
      if (next === '}' || next === ']') continue;
      depth += 1;
      out += `\n${unit.repeat(depth)}`;
    } else if (token.text === '}' || token.text === ']') {
      const previous = tokens[index - 1]?.text;
      if (previous !== '{' && previous !== '[') {
        depth -= 1;
        out += `\n${unit.repeat(depth)}`;
      }
      out += token.text;
    } else if (token.text === ',') {
      out += `,\n${unit.repeat(depth)}`;
    } else {
      out += ': ';
    }
  }
  return out;
}

/** One piece of a string token: a single character, or a whole escape sequence. */
type PieceRewrite = (piece: string, escaped: boolean) => string;

function rewriteString(raw: string, rewrite: PieceRewrite): string {
  let out = '';
  for (let i = 0; i < raw.length; i += 1) {
    const char = raw[i] as string;
    if (char !== '\\') {
      out += rewrite(char, false);
      continue;
    }
    const length = raw[i + 1] === 'u' ? 6 : 2;
    out += rewrite(raw.slice(i, i + length), true);
    i += length - 1;
  }
  return out;
}

export type JsonEscaping = 'escape-non-ascii' | 'unescape-non-ascii' | 'escape-slash' | 'unescape-slash';

const ESCAPINGS: Record<JsonEscaping, PieceRewrite> = {
  // Python's ensure_ascii and PHP write lowercase hex, one escape per UTF-16 code unit.
  'escape-non-ascii': (piece, escaped) =>
    !escaped && piece.charCodeAt(0) > 0x7f ? `\\u${piece.charCodeAt(0).toString(16).padStart(4, '0')}` : piece,
  'unescape-non-ascii': (piece, escaped) => {
    if (!escaped || piece[1] !== 'u') return piece;
    const code = Number.parseInt(piece.slice(2), 16);
    return code > 0x7f ? String.fromCharCode(code) : piece;
  },
  'escape-slash': (piece, escaped) => (!escaped && piece === '/' ? '\\/' : piece),
  'unescape-slash': (piece) => (piece === '\\/' ? '/' : piece),
};

/** Strings an escaping can change; the others are kept without a character-by-character pass. */
const AFFECTED: Record<JsonEscaping, RegExp> = {
  'escape-non-ascii': /[^\u0020-\u007e]/,
  'unescape-non-ascii': /\\u/,
  'escape-slash': /\//,
  'unescape-slash': /\\\//,
};

export function escapeJsonStrings(tokens: readonly Token[], escaping: JsonEscaping): Token[] {
  const rewrite = ESCAPINGS[escaping];
  const affected = AFFECTED[escaping];
  return tokens.map((token) => (token.kind === 'string' && affected.test(token.text) ? { kind: 'string', text: rewriteString(token.text, rewrite) } : token));
}

const LAYOUT_WORDS: Record<JsonLayout, string> = {
  compact: 'compact JSON',
  spaced: 'JSON with ", " and ": " separators (Python json.dumps default)',
  indent2: 'JSON indented by 2 spaces',
  indent4: 'JSON indented by 4 spaces',
  tabs: 'JSON indented by tabs',
};

const ESCAPING_WORDS: Record<JsonEscaping, string> = {
  'escape-non-ascii': 'non-ASCII characters escaped as \\uXXXX',
  'unescape-non-ascii': '\\uXXXX escapes written as the characters',
  'escape-slash': '"/" escaped as "\\/" (PHP json_encode default)',
  'unescape-slash': '"\\/" written as "/"',
};

/** A re-serialization of the body and the words that describe it in a finding. */
export interface JsonRewrite {
  text: string;
  description: string;
}

/**
 * Yields each distinct re-serialization of a JSON text: every layout with every escaping
 * change, then a full `JSON.parse` and `JSON.stringify` round trip (which also rewrites
 * numbers and drops duplicate keys). Yields nothing for text that is not a JSON object or array.
 */
export function* jsonRewrites(text: string): Generator<JsonRewrite> {
  const tokens = tokenizeJson(text);
  if (tokens === null) return;

  // Each layout keeps the received leading and trailing whitespace, which the newline causes cover.
  const { lead, trail } = outerWhitespace(text);
  const seen = new Set<string>([text]);
  const layouts: (JsonLayout | null)[] = [null, 'compact', 'spaced', 'indent2', 'indent4', 'tabs'];
  const escapings: (JsonEscaping | null)[] = [null, 'escape-non-ascii', 'unescape-non-ascii', 'escape-slash', 'unescape-slash'];
  // An escaping that changes no string would only repeat a layout, so it is left out.
  const escapedTokens = new Map<JsonEscaping | null, Token[]>([[null, tokens]]);
  for (const escaping of escapings) {
    if (escaping !== null && tokens.some((token) => token.kind === 'string' && AFFECTED[escaping].test(token.text))) {
      escapedTokens.set(escaping, escapeJsonStrings(tokens, escaping));
    }
  }
  for (const layout of layouts) {
    for (const [escaping, escaped] of escapedTokens) {
      const rewritten = layout === null ? rewriteInPlace(text, escaping) : `${lead}${layoutJson(escaped, layout)}${trail}`;
      if (seen.has(rewritten)) continue;
      seen.add(rewritten);
      yield { text: rewritten, description: describe(layout, escaping) };
    }
  }

  for (const rewritten of roundTrips(text)) {
    const full = `${lead}${rewritten.text}${trail}`;
    if (seen.has(full)) continue;
    seen.add(full);
    yield { text: full, description: rewritten.description };
  }
}

function isJsonWhitespace(char: string | undefined): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r';
}

function outerWhitespace(text: string): { lead: string; trail: string } {
  let start = 0;
  while (isJsonWhitespace(text[start])) start += 1;
  let end = text.length;
  while (end > start && isJsonWhitespace(text[end - 1])) end -= 1;
  return { lead: text.slice(0, start), trail: text.slice(end) };
}

/** Applies an escaping change to the string tokens only, keeping the received whitespace. */
function rewriteInPlace(text: string, escaping: JsonEscaping | null): string {
  if (escaping === null || !AFFECTED[escaping].test(text)) return text;
  const rewrite = ESCAPINGS[escaping];
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '"') {
      out += text[i];
      i += 1;
      continue;
    }
    const end = stringEnd(text, i);
    out += rewriteString(text.slice(i, end + 1), rewrite);
    i = end + 1;
  }
  return out;
}

function describe(layout: JsonLayout | null, escaping: JsonEscaping | null): string {
  if (layout === null) return `this JSON with ${ESCAPING_WORDS[escaping as JsonEscaping]}`;
  if (escaping === null) return LAYOUT_WORDS[layout];
  return `${LAYOUT_WORDS[layout]} with ${ESCAPING_WORDS[escaping]}`;
}

function roundTrips(text: string): JsonRewrite[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  return [
    { text: JSON.stringify(value), description: 'JSON parsed and re-stringified by JavaScript (numbers and escapes normalized)' },
    { text: JSON.stringify(value, null, 2), description: 'JSON parsed and pretty-printed by JavaScript with 2 spaces' },
  ];
}
