/**
 * The browser bridge's WebSocket protocol: message types and the JSON encoding of values
 * that JSON cannot carry. Shared by the bridge (Node) and the renderer's client (browser),
 * so it uses only globals both have (`btoa`, `atob`).
 */
import type { InvokeChannel, PushChannel } from '../contract';

/** Messages from the page to the bridge. The first one must be `hello`. */
export type ClientMessage =
  | { type: 'hello'; token: string | null }
  | { type: 'invoke'; id: number; channel: InvokeChannel; request?: unknown }
  | { type: 'subscribe'; channel: PushChannel }
  | { type: 'unsubscribe'; channel: PushChannel };

/** Stable codes of a failed invoke. */
export type InvokeErrorCode = 'invalid-request' | 'unknown-channel' | 'internal-error';

/** Messages from the bridge to the page. */
export type ServerMessage =
  | { type: 'ready' }
  | { type: 'result'; id: number; ok: true; response: unknown }
  | { type: 'result'; id: number; ok: false; error: { code: InvokeErrorCode; message: string } }
  | { type: 'push'; channel: PushChannel; payload: unknown };

/** WebSocket close codes the bridge uses (4000-4999 is the range for applications). */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_PROTOCOL_ERROR = 4400;

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

/** Reverses `toWire` on data parsed from JSON. */
export function fromWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromWire);
  if (typeof value !== 'object' || value === null) return value;

  const record = value as Record<string, unknown>;
  if (record[TYPE_KEY] === 'bytes' && typeof record.base64 === 'string') return base64ToBytes(record.base64);
  const source = record[TYPE_KEY] === 'object' && typeof record.value === 'object' && record.value !== null ? (record.value as Record<string, unknown>) : record;

  return Object.fromEntries(Object.entries(source).map(([key, item]) => [key, fromWire(item)]));
}

/** Chunk size for `String.fromCharCode`, well under engines' argument-count limits. */
const CHUNK = 0x8000;

interface BufferLike {
  from(buffer: ArrayBufferLike, byteOffset: number, length: number): { toString(encoding: 'base64'): string };
}

export function bytesToBase64(bytes: Uint8Array): string {
  // Node's Buffer is about 25 times faster than btoa for a 25 MiB body; browsers never encode.
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
