import { randomFillSync } from 'node:crypto';

/** Crockford's base32 alphabet, as the ULID specification uses. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const POOL_SIZE = 4096;

/**
 * Generates ULIDs (48-bit millisecond time, 80 random bits) that sort in creation order,
 * also within one millisecond: the random part then increments, as the ULID spec's
 * monotonic mode does. Random bytes come from a pool, so each id costs no system call.
 */
export class UlidGenerator {
  private pool = Buffer.alloc(POOL_SIZE);
  private poolOffset = POOL_SIZE;
  private lastTime = -1;
  private lastRandom: number[] = [];

  next(time = Date.now()): string {
    if (time <= this.lastTime) {
      this.increment();
    } else {
      this.lastTime = time;
      this.lastRandom = this.freshRandom();
    }
    return encodeTime(this.lastTime) + this.lastRandom.map((digit) => ALPHABET[digit]).join('');
  }

  /** Sixteen base32 digits (80 bits) of randomness. */
  private freshRandom(): number[] {
    if (this.poolOffset + 16 > POOL_SIZE) {
      randomFillSync(this.pool);
      this.poolOffset = 0;
    }
    const digits: number[] = [];
    for (let i = 0; i < 16; i++) digits.push((this.pool[this.poolOffset + i] as number) & 31);
    this.poolOffset += 16;
    return digits;
  }

  private increment(): void {
    for (let i = this.lastRandom.length - 1; i >= 0; i--) {
      const digit = this.lastRandom[i] as number;
      if (digit < 31) {
        this.lastRandom[i] = digit + 1;
        return;
      }
      this.lastRandom[i] = 0;
    }
    // All 80 bits overflowed within one millisecond: borrow the next millisecond.
    this.lastTime += 1;
  }
}

function encodeTime(time: number): string {
  let text = '';
  let rest = time;
  for (let i = 0; i < 10; i++) {
    text = ALPHABET[rest % 32] + text;
    rest = Math.floor(rest / 32);
  }
  return text;
}
