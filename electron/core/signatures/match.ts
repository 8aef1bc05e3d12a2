import type { DigestEncoding } from '../contract';
import { matchDigest } from './digest';
import type { ParsedSignature, SignedContent, SigningModel } from './scheme';

/** A key that produced a digest equal to one received, and how. */
export interface DigestMatch {
  keyIndex: number;
  encoding: DigestEncoding;
  contentIndex: number;
}

/** Finds the first key, content and received digest that match, or null. */
export function findMatch<O>(
  model: SigningModel<O>,
  parsed: ParsedSignature,
  keys: readonly (Uint8Array | null)[],
  options: O,
  contents: readonly SignedContent[] = parsed.contents,
  encodings: readonly DigestEncoding[] = parsed.encodings,
): DigestMatch | null {
  // Index loops: this runs for every delivery, and entries() iterators showed in profiles.
  for (let keyIndex = 0; keyIndex < keys.length; keyIndex++) {
    const key = keys[keyIndex];
    if (key === null || key === undefined) continue;
    for (let contentIndex = 0; contentIndex < contents.length; contentIndex++) {
      const expected = model.digest(contents[contentIndex] as SignedContent, key, options);
      for (const received of parsed.digests) {
        const encoding = matchDigest(received, expected, encodings);
        if (encoding !== null) return { keyIndex, encoding, contentIndex };
      }
    }
  }
  return null;
}
