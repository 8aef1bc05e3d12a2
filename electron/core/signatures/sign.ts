import type { HeaderPair } from '../contract';
import { getVerifier, schemeNames } from './registry';
import type { SignTarget } from './types';

/**
 * Computes the headers that sign `body` with `key` under a scheme, at `now` in ms since the
 * epoch. The scheme's schema validates the options, so defaults apply. Throws on an unknown
 * scheme, invalid options, or a target that lacks what the scheme signs.
 */
export function signDelivery(
  scheme: string,
  body: Uint8Array | string,
  key: string,
  options: Record<string, unknown> = {},
  now: number = Date.now(),
  target?: SignTarget,
): HeaderPair[] {
  const verifier = getVerifier(scheme);
  if (verifier === undefined) throw new Error(`Unknown signature scheme "${scheme}"; use one of ${schemeNames().join(', ')}.`);
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return verifier.sign(bytes, key, options, now, target);
}

/**
 * Returns the headers with each signature header replaced by its new value at the position
 * of the old one, and the rest in their order. New headers without an old one go last.
 */
export function replaceSignatureHeaders(headers: readonly HeaderPair[], signature: readonly HeaderPair[]): HeaderPair[] {
  const pending = new Map(signature.map(([name, value]) => [name.toLowerCase(), [name, value] as HeaderPair]));
  const replaced = new Set(pending.keys());
  const result: HeaderPair[] = [];
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (!replaced.has(lower)) {
      result.push([name, value]);
      continue;
    }
    const fresh = pending.get(lower);
    if (fresh !== undefined) result.push([name, fresh[1]]);
    pending.delete(lower);
  }
  return [...result, ...pending.values()];
}
