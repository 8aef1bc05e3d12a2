/**
 * Finds configured keys in bytes before they are written. Each key is searched as its UTF-8
 * text and, for `whsec_` keys, also without the prefix, because that part alone is the secret.
 */
export class SecretScanner {
  private readonly needles: Buffer[];

  constructor(keys: Iterable<string>) {
    const variants = new Set<string>();
    for (const key of keys) {
      if (key === '') continue;
      variants.add(key);
      if (key.startsWith('whsec_') && key.length > 'whsec_'.length) variants.add(key.slice('whsec_'.length));
    }
    this.needles = [...variants].map((text) => Buffer.from(text, 'utf8'));
  }

  get keyCount(): number {
    return this.needles.length;
  }

  contains(bytes: Uint8Array): boolean {
    if (this.needles.length === 0) return false;
    const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return this.needles.some((needle) => haystack.includes(needle));
  }

  containsText(text: string): boolean {
    return this.needles.length > 0 && this.contains(Buffer.from(text, 'utf8'));
  }
}
