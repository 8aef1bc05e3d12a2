/**
 * Message text of requests in parts that all connections of a bridge may hold together, from
 * their first part until their handler finishes. Each connection is also bounded on its own,
 * but that bound must fit the largest import a page sends, so without a shared budget N open
 * connections could hold N times that.
 */
export class RequestBudget {
  private reserved = 0;

  constructor(readonly maxChars: number) {}

  get heldChars(): number {
    return this.reserved;
  }

  /** Reserves `chars` and returns true, or returns false and reserves nothing when they do not fit. */
  reserve(chars: number): boolean {
    if (this.reserved + chars > this.maxChars) return false;
    this.reserved += chars;
    return true;
  }

  release(chars: number): void {
    this.reserved = Math.max(0, this.reserved - chars);
  }
}
