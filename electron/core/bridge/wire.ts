/**
 * The browser bridge's WebSocket protocol: message types, the JSON encoding of values that
 * JSON cannot carry, and the split of long messages into parts. Shared by the bridge (Node)
 * and the renderer's client (browser), so it uses only globals both have (`btoa`, `atob`).
 */
import type { InvokeChannel, PushChannel } from '../contract';

/**
 * A piece of the JSON text of a message too long for one WebSocket frame. The pieces of one
 * message share its invoke id and arrive in order; the one with `final: true` ends it.
 */
export interface PartMessage {
  type: 'part';
  id: number;
  text: string;
  final: boolean;
}

/** Messages from the page to the bridge. The first one must be `hello`. */
export type ClientMessage =
  | { type: 'hello'; token: string | null }
  | { type: 'invoke'; id: number; channel: InvokeChannel; request?: unknown }
  /** Ends interest in an invoke: the bridge sends no result, or no further parts of it. */
  | { type: 'cancel'; id: number }
  | { type: 'subscribe'; channel: PushChannel }
  | { type: 'unsubscribe'; channel: PushChannel }
  | PartMessage;

/** Stable codes of a failed invoke. */
export type InvokeErrorCode = 'invalid-request' | 'unknown-channel' | 'internal-error' | 'busy';

/** Messages from the bridge to the page. */
export type ServerMessage =
  | { type: 'ready' }
  | { type: 'result'; id: number; ok: true; response: unknown }
  | { type: 'result'; id: number; ok: false; error: { code: InvokeErrorCode; message: string } }
  | { type: 'push'; channel: PushChannel; payload: unknown }
  | PartMessage;

/** WebSocket close codes the bridge defines, in the range that RFC 6455 leaves to applications (4000-4999). */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_PROTOCOL_ERROR = 4400;
/** "Try Again Later" from the IANA registry of WebSocket close codes, for a bridge that is overloaded. */
export const CLOSE_TRY_AGAIN_LATER = 1013;

/** Maximum size of one WebSocket message to the bridge, in bytes. */
export const MAX_CLIENT_FRAME_BYTES = 1024 * 1024;
/**
 * Characters of message text per part from the page. JSON escapes a character into at most
 * 6 bytes (`\u001f`), so a part stays under MAX_CLIENT_FRAME_BYTES whatever the text.
 */
export const CLIENT_PART_CHARS = 128 * 1024;

/**
 * Message text one connection holds for requests still arriving in parts. The largest request
 * a page sends is an import of picked files, as base64 (4 characters per 3 bytes), so this
 * admits about 192 MiB of files. The core reads HAR files up to 256 MiB and NDJSON files of
 * any size, so a lower bound would reject imports that work today. The RequestBudget shared
 * by all connections bounds the total instead.
 */
export const MAX_REQUEST_CHARS = 256 * 1024 * 1024;

/**
 * Returns an upper bound of the message text of an `import.run` invoke that sends files of
 * these names and sizes, so the page can reject an import over MAX_REQUEST_CHARS before it
 * reads the files. Each file takes its bytes as base64, its name, which JSON escapes into at
 * most 6 characters per character, and its keys.
 */
export function importRequestChars(files: readonly { name: string; size: number }[]): number {
  // The invoke's own keys take about 80 characters, and each file's keys about 50.
  const messageKeys = 256;
  const fileKeys = 64;
  let chars = messageKeys;
  for (const file of files) chars += 4 * Math.ceil(file.size / 3) + 6 * file.name.length + fileKeys;
  return chars;
}

/** Characters of message text per part from the bridge; a cancel stops a transfer at the next part. */
export const SERVER_PART_CHARS = 1024 * 1024;

/**
 * Splits the JSON text of an invoke or result message into parts of at most `maxChars`
 * characters. A cut may fall inside a surrogate pair: JSON escapes the lone halves, and
 * joining the parsed texts restores the pair.
 */
export function splitIntoParts(id: number, text: string, maxChars: number): PartMessage[] {
  const parts: PartMessage[] = [];
  for (let offset = 0; offset < text.length; offset += maxChars) {
    parts.push({ type: 'part', id, text: text.slice(offset, offset + maxChars), final: offset + maxChars >= text.length });
  }
  return parts;
}

/** Outcome of adding a part: the whole text once the final part arrived, or why the parts were dropped. */
export type PartResult = { status: 'incomplete' } | { status: 'complete'; text: string } | { status: 'too-large'; chars: number };

/**
 * Joins the parts of messages, keyed by invoke id. The text held for all ids together is
 * capped at `maxChars`; a message that would pass it is dropped whole.
 */
export class PartAssembler {
  private readonly pieces = new Map<number, string[]>();
  private readonly lengths = new Map<number, number>();
  private heldChars = 0;

  constructor(private readonly maxChars: number) {}

  add(part: PartMessage): PartResult {
    const length = (this.lengths.get(part.id) ?? 0) + part.text.length;
    if (this.heldChars + part.text.length > this.maxChars) {
      this.drop(part.id);
      return { status: 'too-large', chars: length };
    }

    const pieces = this.pieces.get(part.id) ?? [];
    pieces.push(part.text);
    this.pieces.set(part.id, pieces);
    this.lengths.set(part.id, length);
    this.heldChars += part.text.length;
    if (!part.final) return { status: 'incomplete' };

    this.drop(part.id);
    return { status: 'complete', text: pieces.join('') };
  }

  /** Forgets the parts received for `id`, such as those of a cancelled invoke. */
  drop(id: number): void {
    this.heldChars -= this.lengths.get(id) ?? 0;
    this.pieces.delete(id);
    this.lengths.delete(id);
  }

  clear(): void {
    this.pieces.clear();
    this.lengths.clear();
    this.heldChars = 0;
  }
}

const TYPE_KEY = '$type';

/**
 * Converts a value to plain JSON data: byte arrays become `{ $type: 'bytes', base64 }`.
 * An object that has a `$type` key of its own is wrapped as `{ $type: 'object', value }`,
 * so `fromWire` restores every value exactly, whatever keys received data contains.
 */
export function toWire(value: unknown): unknown {
  if (value instanceof Uint8Array) return { [TYPE_KEY]: 'bytes', base64: bytesToBase64(value) };
  if (Array.isArray(value)) return value.map(toWire);
  if (typeof value !== 'object' || value === null) return value;

  // Object.fromEntries defines own properties, so a "__proto__" key stays a key instead of setting the prototype.
  const entries = Object.entries(value).filter(([, item]) => item !== undefined);
  const out = Object.fromEntries(entries.map(([key, item]) => [key, toWire(item)]));
  return Object.hasOwn(value, TYPE_KEY) ? { [TYPE_KEY]: 'object', value: out } : out;
}

/**
 * Levels of nested arrays and objects that `fromWire` restores. Requests of the contract nest a
 * few levels. JSON.parse accepts any depth, so without a bound a hostile message would exhaust
 * the call stack: in Node 20.20 with the default stack size, 2,000 levels passed and 4,000 failed.
 */
export const MAX_WIRE_DEPTH = 256;

/** A value that `fromWire` cannot restore. Its message names the value, such as "arrays or objects nested deeper than 256 levels". */
export class WireFormatError extends Error {
  override name = 'WireFormatError';
}

/** Reverses `toWire` on data parsed from JSON. Throws WireFormatError for a value that no `toWire` output has. */
export function fromWire(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_WIRE_DEPTH) throw new WireFormatError(`arrays or objects nested deeper than ${MAX_WIRE_DEPTH} levels`);
  if (Array.isArray(value)) return value.map((item) => fromWire(item, depth + 1));

  const record = value as Record<string, unknown>;
  if (record[TYPE_KEY] === 'bytes' && typeof record.base64 === 'string') return wireBytes(record.base64);
  const source = record[TYPE_KEY] === 'object' && typeof record.value === 'object' && record.value !== null ? (record.value as Record<string, unknown>) : record;

  return Object.fromEntries(Object.entries(source).map(([key, item]) => [key, fromWire(item, depth + 1)]));
}

function wireBytes(base64: string): Uint8Array {
  try {
    return base64ToBytes(base64);
  } catch {
    // atob throws a DOMException, InvalidCharacterError, for text that is not base64.
    throw new WireFormatError('a byte array whose "base64" text is not valid base64');
  }
}

/** Chunk size for `String.fromCharCode`, well under engines' argument-count limits. */
const CHUNK = 0x8000;

interface BufferLike {
  from(buffer: ArrayBufferLike, byteOffset: number, length: number): { toString(encoding: 'base64'): string };
}

export function bytesToBase64(bytes: Uint8Array): string {
  // Node's Buffer is about 25 times faster than btoa for a 25 MiB body; browsers encode request bytes with btoa.
  const nodeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer;
  if (nodeBuffer !== undefined) return nodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

  let binary = '';
  for (let offset = 0; offset < bytes.length; offset += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + CHUNK));
  }
  return btoa(binary);
}

export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
