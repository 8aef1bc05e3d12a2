import { isAbsolute, relative, resolve, sep } from 'node:path';

/** Longest path part kept in a file name, so names stay readable and far below 255 bytes. */
const MAX_PATH_PART = 60;
const MAX_ID_PART = 40;

export interface NameSource {
  id: string;
  receivedAt: string;
  method: string;
  path: string;
}

/**
 * Builds a stable, readable base name for a delivery's files, such as
 * `2025-04-15T13-33-55Z_post_webhooks-spike_01JRXYZ`. Every part is reduced to ASCII
 * letters, digits, `-` and `_`, so nothing received (`../`, NUL, slashes, very long
 * paths) can form a name that leaves the export folder or is hidden.
 */
export function deliveryBaseName(delivery: NameSource): string {
  const time = timePart(delivery.receivedAt);
  const method = cleanPart(delivery.method.toLowerCase(), 12) || 'request';
  const pathname = delivery.path.split('?', 1)[0] ?? '';
  const path = cleanPart(pathname, MAX_PATH_PART) || 'root';
  const id = cleanPart(delivery.id, MAX_ID_PART) || 'delivery';
  return `${time}_${method}_${path}_${id}`;
}

/** `2025-04-15T13:33:55.271Z` becomes `2025-04-15T13-33-55Z`; an invalid time becomes `unknown-time`. */
function timePart(receivedAt: string): string {
  const millis = Date.parse(receivedAt);
  if (Number.isNaN(millis)) return 'unknown-time';
  return `${new Date(millis).toISOString().slice(0, 19).replace(/:/g, '-')}Z`;
}

/** Replaces every run of characters outside `[A-Za-z0-9_]` with one `-` and trims the ends. */
function cleanPart(text: string, maxLength: number): string {
  const cleaned = text.replace(/[^A-Za-z0-9_]+/g, '-').replace(/^[-_]+|[-_]+$/g, '');
  return cleaned.slice(0, maxLength).replace(/[-_]+$/, '');
}

/** A file name that would leave the export folder; the message names the file and the folder. */
export class UnsafeFileNameError extends Error {
  override name = 'UnsafeFileNameError';
}

/**
 * Resolves `name` inside `folder` and throws UnsafeFileNameError unless the result is a
 * direct child of the folder. Names built by `deliveryBaseName` always pass; this guards
 * every write against a future caller that passes a received value through.
 */
export function resolveInside(folder: string, name: string): string {
  const root = resolve(folder);
  const target = resolve(root, name);
  const rel = relative(root, target);
  if (name.includes('\0') || rel === '' || isAbsolute(rel) || rel.startsWith('..') || rel.includes(sep)) {
    throw new UnsafeFileNameError(`Refusing to write "${name}": it resolves outside the export folder ${root}. Choose a plain file name.`);
  }
  return target;
}
