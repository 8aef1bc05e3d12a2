import type http from 'node:http';
import type { TruncatedReason } from './contract';

/**
 * Bytes of request bodies the receiver keeps in memory, across all requests, with a cap. A
 * body counts from its first byte, or from its `Content-Length` before that, until the store
 * has committed or rejected it. Its decoded copy counts too.
 */
export class BodyMemory {
  private bytesHeld = 0;

  constructor(readonly capBytes: number) {}

  get heldBytes(): number {
    return this.bytesHeld;
  }

  /** Starts the count of one request's bytes. */
  reservation(): Reservation {
    return new Reservation(this);
  }

  /** Takes `bytes` and returns true, or returns false and takes nothing when that would pass the cap. */
  take(bytes: number): boolean {
    if (this.bytesHeld + bytes > this.capBytes) return false;
    this.bytesHeld += bytes;
    return true;
  }

  /** Takes bytes that are in memory already, such as a decoded copy, even past the cap. */
  add(bytes: number): void {
    this.bytesHeld += bytes;
  }

  give(bytes: number): void {
    this.bytesHeld -= bytes;
  }
}

/** The bytes of one request in BodyMemory; release() returns all of them. */
export class Reservation {
  private bytesHeld = 0;

  constructor(private readonly memory: BodyMemory) {}

  reserve(bytes: number): boolean {
    if (!this.memory.take(bytes)) return false;
    this.bytesHeld += bytes;
    return true;
  }

  add(bytes: number): void {
    this.memory.add(bytes);
    this.bytesHeld += bytes;
  }

  release(): void {
    this.memory.give(this.bytesHeld);
    this.bytesHeld = 0;
  }
}

/** Why a body was not kept: over the body limit (413) or over BodyMemory's cap (503). It is stored as the delivery's `truncatedReason`. */
export type BodyCutOff = TruncatedReason;

/** How to read a body, decided from its `Content-Length` before the first byte is read. */
export interface BodyPlan {
  /** The declared length, or null for a body sent in chunks. */
  declared: number | null;
  /** The reason the body is not read, or null when it is read. */
  cutOff: BodyCutOff | null;
}

/**
 * Decides from `Content-Length` whether a body is read, and reserves its declared length when
 * it is. A body sent in chunks is reserved while it is read.
 */
export function planBody(contentLength: string | undefined, limit: number, reservation: Reservation): BodyPlan {
  const declared = contentLength === undefined ? Number.NaN : Number(contentLength);
  if (!Number.isFinite(declared)) return { declared: null, cutOff: null };
  if (declared > limit) return { declared, cutOff: 'body-limit' };
  if (!reservation.reserve(declared)) return { declared, cutOff: 'memory-cap' };
  return { declared, cutOff: null };
}

export interface ReadResult {
  bytes: Buffer;
  /**
   * Bytes received. For a body cut off by its `Content-Length`, the declared length instead,
   * because the rest is read while the response goes out.
   */
  size: number;
  cutOff: BodyCutOff | null;
  /** Whether the rest of a cut-off body was already read and discarded, or its time to arrive ran out. */
  drained: boolean;
}

export interface ReadOptions {
  limit: number;
  reservation: Reservation;
  /** Time, in ms, that the rest of a body sent in chunks may take after it was cut off. */
  drainMs: number;
}

/**
 * Reads the body as `plan` decides. A body cut off by its `Content-Length` resolves at once,
 * unread, and the caller reads the rest while it responds. A body sent in chunks is cut off
 * when it passes the limit or the memory cap, and is then read to its end without keeping
 * the bytes, so its size is the bytes received. That end may take at most `drainMs`, and the
 * result then has the bytes received so far.
 */
export function readBody(request: http.IncomingMessage, plan: BodyPlan, { limit, reservation, drainMs }: ReadOptions): Promise<ReadResult> {
  if (plan.cutOff !== null) {
    request.resume();
    return Promise.resolve({ bytes: Buffer.alloc(0), size: plan.declared ?? 0, cutOff: plan.cutOff, drained: false });
  }

  return new Promise((resolve, reject) => {
    // A declared length is copied into one buffer as it arrives, so the body is never in memory twice.
    const whole = plan.declared === null ? null : Buffer.allocUnsafeSlow(plan.declared);
    const chunks: Buffer[] = [];
    let size = 0;
    let cutOff: BodyCutOff | null = null;
    let drainTimer: NodeJS.Timeout | undefined;
    const received = (): Buffer => {
      if (whole === null) return joinChunks(chunks, size);
      // Node ends a body with a Content-Length only at that length, and the check keeps unfilled memory out all the same.
      return size === whole.length ? whole : joinChunks([whole.subarray(0, size)], size);
    };
    const finish = (): void => {
      clearTimeout(drainTimer);
      resolve({ bytes: cutOff === null ? received() : Buffer.alloc(0), size, cutOff, drained: cutOff !== null });
    };
    const cut = (reason: BodyCutOff): void => {
      // The body limit wins over the memory cap, because a retry of a body over the limit would fail again.
      if (cutOff === null) drainTimer = setTimeout(finish, drainMs);
      cutOff = reason;
      chunks.length = 0;
      reservation.release();
    };

    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit && cutOff !== 'body-limit') cut('body-limit');
      // Node ends a body with a Content-Length at that length, so only a chunked one reserves as it goes.
      else if (cutOff === null && plan.declared === null && !reservation.reserve(chunk.length)) cut('memory-cap');
      if (cutOff !== null) return;
      if (whole === null) chunks.push(chunk);
      else chunk.copy(whole, size - chunk.length);
    });
    request.on('end', finish);
    // A cut-off body is recorded with the bytes that arrived, and any other is not recorded.
    request.on('error', (error) => (cutOff === null ? reject(error) : finish()));
    request.on('aborted', () => (cutOff === null ? reject(new Error('the client aborted the request')) : finish()));
  });
}

/**
 * Joins body chunks into a buffer with memory of its own. Buffer.concat returns a slice of a
 * shared pool for small sizes, and copying the body to the writer thread would copy the pool.
 */
export function joinChunks(chunks: readonly Buffer[], size: number): Buffer {
  const bytes = Buffer.allocUnsafeSlow(size);
  let offset = 0;
  for (const chunk of chunks) offset += chunk.copy(bytes, offset);
  return bytes;
}

/** Returns `bytes`, or a copy when they are a view of a larger buffer, as zlib's output can be (see joinChunks). */
export function ownMemory(bytes: Buffer): Buffer {
  return bytes.byteLength === bytes.buffer.byteLength ? bytes : joinChunks([bytes], bytes.byteLength);
}
