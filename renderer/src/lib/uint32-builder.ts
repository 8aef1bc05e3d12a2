/**
 * An append-only list of 32-bit unsigned integers, such as the offsets of lines in a body. A
 * 20 MiB body has millions of them: a typed array takes 4 bytes each and can be transferred
 * to or from a Web Worker without a copy, where a plain array of numbers would be cloned.
 */
export class Uint32Builder {
  private array: Uint32Array;
  private count = 0;

  constructor(initialCapacity = 1024) {
    this.array = new Uint32Array(Math.max(initialCapacity, 16));
  }

  get length(): number {
    return this.count;
  }

  push(value: number): void {
    if (this.count === this.array.length) {
      const grown = new Uint32Array(this.array.length * 2);
      grown.set(this.array);
      this.array = grown;
    }
    this.array[this.count] = value;
    this.count += 1;
  }

  /** Returns a copy that contains exactly the values pushed. */
  toArray(): Uint32Array {
    return this.array.slice(0, this.count);
  }
}
