import type http from 'node:http';

export interface ReadResult {
  bytes: Buffer;
  /**
   * Bytes received. For a body cut off because its `Content-Length` is over the limit, the
   * declared length instead, because the rest is read while the response goes out.
   */
  size: number;
  overLimit: boolean;
  /** Whether the rest of a body over the limit was already read and discarded, or its time to arrive ran out. */
  drained: boolean;
}

/**
 * Reads the body up to `limit` bytes. A body whose `Content-Length` is over the limit resolves
 * at once, unread, and the caller reads the rest while it responds. A body without one, sent
 * in chunks, is read to its end without keeping the bytes past the limit, so its size is the
 * bytes received. That end may take at most `drainMs` after the limit was passed, and the
 * result then has the bytes received so far.
 */
export function readBody(request: http.IncomingMessage, contentLength: string | undefined, limit: number, drainMs: number): Promise<ReadResult> {
  const declared = Number(contentLength);
  if (Number.isFinite(declared) && declared > limit) {
    request.resume();
    return Promise.resolve({ bytes: Buffer.alloc(0), size: declared, overLimit: true, drained: false });
  }

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let overLimit = false;
    let drainTimer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearTimeout(drainTimer);
      resolve({ bytes: overLimit ? Buffer.alloc(0) : joinChunks(chunks, size), size, overLimit, drained: overLimit });
    };

    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (overLimit) return;
      if (size > limit) {
        overLimit = true;
        chunks.length = 0;
        drainTimer = setTimeout(finish, drainMs);
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', finish);
    // A body already over the limit is recorded with the bytes that arrived, and any other is not recorded.
    request.on('error', (error) => (overLimit ? finish() : reject(error)));
    request.on('aborted', () => (overLimit ? finish() : reject(new Error('the client aborted the request'))));
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
