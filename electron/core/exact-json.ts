/**
 * A JSON reader that keeps what JSON.parse throws away: number text (so 2^53 + 1 and
 * 0.1000000000000000055 survive), string text with its escapes, and the key order and
 * duplicate keys of objects. Used to compare and pretty-print bodies without rounding.
 */

export type ExactJson =
  | { type: 'object'; members: ExactJsonMember[] }
  | { type: 'array'; items: ExactJson[] }
  /** `raw` is the literal as received, quotes and escapes included. */
  | { type: 'string'; value: string; raw: string }
  | { type: 'number'; text: string }
  | { type: 'boolean'; value: boolean }
  | { type: 'null' };

/** One key and value of an object; `rawKey` is the key's literal as received. */
export interface ExactJsonMember {
  key: string;
  rawKey: string;
  value: ExactJson;
}

export type ExactJsonResult =
  | { ok: true; value: ExactJson }
  | { ok: false; code: 'invalid-json' | 'too-deep'; message: string; offset: number };

/** Nesting limit; deeper input is rejected so a hostile body cannot overflow the stack. */
export const MAX_JSON_DEPTH = 512;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f]/;

class JsonSyntaxError extends Error {
  constructor(
    readonly code: 'invalid-json' | 'too-deep',
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Parses JSON text into an ExactJson tree, or returns where and why it is not JSON. */
export function parseExactJson(text: string, maxDepth = MAX_JSON_DEPTH): ExactJsonResult {
  const reader = new Reader(text, maxDepth);
  try {
    reader.skipWhitespace();
    const value = reader.readValue(0);
    reader.skipWhitespace();
    if (reader.offset !== text.length) reader.fail(`unexpected text after the JSON value`);
    return { ok: true, value };
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return { ok: false, code: error.code, message: error.message, offset: error.offset };
  }
}

class Reader {
  offset = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  fail(what: string, code: 'invalid-json' | 'too-deep' = 'invalid-json'): never {
    throw new JsonSyntaxError(code, `Invalid JSON at character ${this.offset}: ${what}.`, this.offset);
  }

  skipWhitespace(): void {
    let code = this.text.charCodeAt(this.offset);
    // Space, tab, line feed and carriage return are JSON's only whitespace.
    while (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09) {
      this.offset += 1;
      code = this.text.charCodeAt(this.offset);
    }
  }

  readValue(depth: number): ExactJson {
    const char = this.text[this.offset];
    switch (char) {
      case '{':
        return this.readObject(depth + 1);
      case '[':
        return this.readArray(depth + 1);
      case '"':
        return this.readString();
      case 't':
        return this.readLiteral('true', { type: 'boolean', value: true });
      case 'f':
        return this.readLiteral('false', { type: 'boolean', value: false });
      case 'n':
        return this.readLiteral('null', { type: 'null' });
      case undefined:
        return this.fail('the text ends where a value should start');
      default:
        return this.readNumber();
    }
  }

  private readLiteral(word: string, value: ExactJson): ExactJson {
    if (!this.text.startsWith(word, this.offset)) this.fail(`expected ${word}`);
    this.offset += word.length;
    return value;
  }

  private readNumber(): ExactJson {
    NUMBER.lastIndex = this.offset;
    const match = NUMBER.exec(this.text);
    if (match === null) this.fail(`unexpected character ${JSON.stringify(this.text[this.offset])}`);
    this.offset = NUMBER.lastIndex;
    return { type: 'number', text: match[0] };
  }

  private readString(): { type: 'string'; value: string; raw: string } {
    const start = this.offset;
    const end = this.findStringEnd(start);
    const raw = this.text.slice(start, end + 1);
    const control = CONTROL_CHARACTER.exec(raw);
    if (control !== null) {
      this.offset = start + control.index;
      this.fail('a control character inside a string must be escaped');
    }
    this.offset = end + 1;
    if (!raw.includes('\\')) return { type: 'string', value: raw.slice(1, -1), raw };

    // A string literal alone cannot lose precision, so JSON.parse checks and decodes escapes.
    try {
      return { type: 'string', value: JSON.parse(raw) as string, raw };
    } catch {
      this.offset = start;
      return this.fail('a string contains an invalid escape');
    }
  }

  /** Returns the offset of the quote that closes the string opening at `start`. */
  private findStringEnd(start: number): number {
    let quote = this.text.indexOf('"', start + 1);
    while (quote !== -1) {
      // The quote is escaped when an odd number of backslashes precede it.
      let backslashes = 0;
      while (this.text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes += 1;
      if (backslashes % 2 === 0) return quote;
      quote = this.text.indexOf('"', quote + 1);
    }
    this.offset = start;
    return this.fail('a string is not closed');
  }

  private readArray(depth: number): ExactJson {
    if (depth > this.maxDepth) this.fail(`arrays and objects are nested deeper than ${this.maxDepth} levels`, 'too-deep');
    this.offset += 1;
    const items: ExactJson[] = [];
    this.skipWhitespace();
    if (this.text[this.offset] === ']') {
      this.offset += 1;
      return { type: 'array', items };
    }
    for (;;) {
      this.skipWhitespace();
      items.push(this.readValue(depth));
      this.skipWhitespace();
      const next = this.text[this.offset];
      this.offset += 1;
      if (next === ']') return { type: 'array', items };
      if (next !== ',') {
        this.offset -= 1;
        this.fail('expected , or ] in an array');
      }
    }
  }

  private readObject(depth: number): ExactJson {
    if (depth > this.maxDepth) this.fail(`arrays and objects are nested deeper than ${this.maxDepth} levels`, 'too-deep');
    this.offset += 1;
    const members: ExactJsonMember[] = [];
    this.skipWhitespace();
    if (this.text[this.offset] === '}') {
      this.offset += 1;
      return { type: 'object', members };
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.offset] !== '"') this.fail('expected a quoted key in an object');
      const key = this.readString();
      this.skipWhitespace();
      if (this.text[this.offset] !== ':') this.fail('expected : after an object key');
      this.offset += 1;
      this.skipWhitespace();
      members.push({ key: key.value, rawKey: key.raw, value: this.readValue(depth) });
      this.skipWhitespace();
      const next = this.text[this.offset];
      this.offset += 1;
      if (next === '}') return { type: 'object', members };
      if (next !== ',') {
        this.offset -= 1;
        this.fail('expected , or } in an object');
      }
    }
  }
}

/**
 * Returns a canonical form of a JSON number's exact decimal value, so `1`, `1.0` and
 * `10e-1` compare equal while `9007199254740993` and `9007199254740992` do not.
 */
export function canonicalNumber(text: string): string {
  const match = /^(-?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/.exec(text);
  if (match === null) return text;
  const [, sign = '', whole = '', fraction = '', exponentText = '0'] = match;

  let digits = `${whole}${fraction}`.replace(/^0+/, '');
  if (digits === '') return '0';
  // Exponents are arbitrary-length text in JSON, so BigInt keeps them exact.
  let exponent = BigInt(exponentText) - BigInt(fraction.length);
  const trimmed = digits.replace(/0+$/, '');
  exponent += BigInt(digits.length - trimmed.length);
  digits = trimmed;
  return `${sign}${digits}e${exponent}`;
}

/** Returns true when two ExactJson values are equal: numbers by exact value, objects by key set. */
export function exactEqual(left: ExactJson, right: ExactJson): boolean {
  if (left.type !== right.type) return false;
  switch (left.type) {
    case 'number':
      return canonicalNumber(left.text) === canonicalNumber((right as typeof left).text);
    case 'string':
    case 'boolean':
      return left.value === (right as typeof left).value;
    case 'null':
      return true;
    case 'array': {
      const items = (right as typeof left).items;
      return left.items.length === items.length && left.items.every((item, index) => exactEqual(item, items[index] as ExactJson));
    }
    case 'object': {
      const leftMap = objectMap(left);
      const rightMap = objectMap(right as typeof left);
      if (leftMap.size !== rightMap.size) return false;
      for (const [key, value] of leftMap) {
        const other = rightMap.get(key);
        if (other === undefined || !exactEqual(value, other)) return false;
      }
      return true;
    }
  }
}

/** Maps an object's keys to values; with duplicate keys the last one wins, as in JSON.parse. */
export function objectMap(value: Extract<ExactJson, { type: 'object' }>): Map<string, ExactJson> {
  return new Map(value.members.map((member) => [member.key, member.value]));
}

/**
 * Formats a value as indented JSON. Numbers and strings are written as received, so the
 * output differs from the input only in whitespace.
 */
export function formatExactJson(value: ExactJson, indent = 2): string {
  const parts: string[] = [];
  writeValue(value, 0, ' '.repeat(indent), parts);
  return parts.join('');
}

function writeValue(value: ExactJson, level: number, unit: string, parts: string[]): void {
  switch (value.type) {
    case 'string':
      parts.push(value.raw);
      return;
    case 'number':
      parts.push(value.text);
      return;
    case 'boolean':
      parts.push(value.value ? 'true' : 'false');
      return;
    case 'null':
      parts.push('null');
      return;
    case 'array':
      writeContainer('[', ']', value.items, level, unit, parts, (item, next) => writeValue(item, next, unit, parts));
      return;
    case 'object':
      writeContainer('{', '}', value.members, level, unit, parts, (member, next) => {
        parts.push(member.rawKey, ': ');
        writeValue(member.value, next, unit, parts);
      });
      return;
  }
}

function writeContainer<T>(open: string, close: string, children: readonly T[], level: number, unit: string, parts: string[], write: (child: T, level: number) => void): void {
  if (children.length === 0) {
    parts.push(open, close);
    return;
  }
  const inner = `\n${unit.repeat(level + 1)}`;
  parts.push(open);
  children.forEach((child, index) => {
    parts.push(index === 0 ? inner : `,${inner}`);
    write(child, level + 1);
  });
  parts.push(`\n${unit.repeat(level)}`, close);
}

/** Formats a value on one line, cut to `maxLength` characters with an ellipsis, for change lists. */
export function previewExactJson(value: ExactJson, maxLength = 200): string {
  const text = value.type === 'string' ? value.raw : value.type === 'number' ? value.text : formatExactJson(value, 0).replace(/\n/g, '');
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}
