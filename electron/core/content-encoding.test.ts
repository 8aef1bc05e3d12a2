import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ContentDecoder, decodeContent, decodeContentAsync } from './content-encoding';

const text = Buffer.from('{"hello":"wörld"}');

describe('decodeContent', () => {
  it('undoes gzip, deflate and br', () => {
    expect(decodeContent(zlib.gzipSync(text), 'gzip').bytes).toEqual(text);
    expect(decodeContent(zlib.deflateSync(text), 'deflate').bytes).toEqual(text);
    expect(decodeContent(zlib.deflateRawSync(text), 'deflate').bytes).toEqual(text);
    expect(decodeContent(zlib.brotliCompressSync(text), 'br').bytes).toEqual(text);
  });

  it('reports corrupt data without throwing', () => {
    const result = decodeContent(Buffer.from('not gzip'), 'gzip');
    expect(result.bytes).toBeNull();
    expect(result.error).toMatch(/not valid gzip data/);
  });

  it('leaves identity alone', () => {
    expect(decodeContent(text, 'identity')).toEqual({ bytes: null, error: null });
    expect(decodeContent(text, 'identity, identity')).toEqual({ bytes: null, error: null });
    expect(decodeContent(text, '')).toEqual({ bytes: null, error: null });
  });

  it('names a lone unknown coding', () => {
    const result = decodeContent(text, 'zstd');
    expect(result.bytes).toBeNull();
    expect(result.error).toContain('"zstd"');
  });

  it('undoes a list of codings last first', () => {
    const gzipThenBr = zlib.brotliCompressSync(zlib.gzipSync(text));
    expect(decodeContent(gzipThenBr, 'gzip, br')).toEqual({ bytes: text, error: null });

    const three = zlib.gzipSync(zlib.brotliCompressSync(zlib.deflateSync(text)));
    expect(decodeContent(three, 'deflate,br ,  gzip')).toEqual({ bytes: text, error: null });
    expect(decodeContent(three, 'Deflate, identity, BR, X-Gzip')).toEqual({ bytes: text, error: null });
  });

  it('names the coding in a list that fails', () => {
    const result = decodeContent(zlib.brotliCompressSync(text), 'gzip, br');
    expect(result.bytes).toBeNull();
    expect(result.error).toMatch(/not valid gzip data after undoing br/);

    const outer = decodeContent(zlib.gzipSync(text), 'gzip, br');
    expect(outer.bytes).toBeNull();
    expect(outer.error).toMatch(/not valid br data:/);
  });

  it('names an unknown coding inside a list', () => {
    const result = decodeContent(zlib.gzipSync(text), 'compress, gzip');
    expect(result.bytes).toBeNull();
    expect(result.error).toContain('"compress"');
  });

  it('bounds every step of a list', () => {
    const small = 1024;
    const big = Buffer.alloc(small + 1, 'a');
    // The outer br step stays under the bound; the inner gzip step exceeds it.
    const inner = decodeContent(zlib.brotliCompressSync(zlib.gzipSync(big)), 'gzip, br', small);
    expect(inner.bytes).toBeNull();
    expect(inner.error).toContain(`more than ${small} bytes`);
    expect(inner.error).toContain('gzip');

    // The outer step exceeds the bound before the inner step runs.
    const padded = Buffer.concat([zlib.gzipSync(text), Buffer.alloc(small)]);
    const outer = decodeContent(zlib.deflateSync(padded), 'gzip, deflate', small);
    expect(outer.bytes).toBeNull();
    expect(outer.error).toContain(`more than ${small} bytes`);
    expect(outer.error).toContain('deflate');

    expect(decodeContent(zlib.gzipSync(Buffer.alloc(small, 'a')), 'gzip', small).bytes).toHaveLength(small);
  });
});

describe('decodeContentAsync', () => {
  it('undoes a list of codings last first', async () => {
    const three = zlib.gzipSync(zlib.brotliCompressSync(zlib.deflateRawSync(text)));
    expect(await decodeContentAsync(three, 'deflate, br, gzip')).toEqual({ bytes: text, error: null });
    expect(await decodeContentAsync(zlib.deflateSync(text), 'deflate')).toEqual({ bytes: text, error: null });
  });

  it('reports corrupt data and unknown codings', async () => {
    const corrupt = await decodeContentAsync(zlib.brotliCompressSync(text), 'gzip, br');
    expect(corrupt.bytes).toBeNull();
    expect(corrupt.error).toMatch(/not valid gzip data after undoing br/);

    expect((await decodeContentAsync(text, 'zstd')).error).toContain('"zstd"');
    expect(await decodeContentAsync(text, 'identity')).toEqual({ bytes: null, error: null });
  });

  it('names the given limit when the output exceeds it', async () => {
    const limit = { maxBytes: 2000, description: 'the body limit' };
    // The outer step gives about 1 KiB, the inner one 1 MiB.
    const bomb = zlib.gzipSync(zlib.gzipSync(Buffer.alloc(1024 * 1024)));

    const result = await decodeContentAsync(bomb, 'gzip, gzip', limit);
    expect(result.bytes).toBeNull();
    expect(result.error).toBe('Undoing gzip after undoing gzip gives more than 2000 bytes, the body limit.');

    const deflated = await decodeContentAsync(zlib.deflateSync(Buffer.alloc(2001)), 'deflate', limit);
    expect(deflated.error).toBe('Undoing deflate gives more than 2000 bytes, the body limit.');
    expect((await decodeContentAsync(zlib.brotliCompressSync(Buffer.alloc(2000)), 'br', limit)).bytes).toHaveLength(2000);
  });

  it('lets the event loop run while it decodes', async () => {
    const big = zlib.brotliCompressSync(Buffer.alloc(32 * 1024 * 1024, 'a'));
    let ranMeanwhile = false;
    const decoding = decodeContentAsync(big, 'br', { maxBytes: 64 * 1024 * 1024, description: 'a test limit' });
    setImmediate(() => {
      ranMeanwhile = true;
    });

    const result = await decoding;
    expect(result.bytes).toHaveLength(32 * 1024 * 1024);
    expect(ranMeanwhile).toBe(true);
  });
});

describe('ContentDecoder', () => {
  it('decodes one body at a time with concurrency 1', async () => {
    const decoder = new ContentDecoder({ maxBytes: 64 * 1024 * 1024, description: 'a test limit' }, 1);
    const finished: string[] = [];
    const large = decoder.decode(zlib.gzipSync(Buffer.alloc(16 * 1024 * 1024)), 'gzip').then((result) => finished.push(`large ${result.bytes?.length}`));
    const small = decoder.decode(zlib.gzipSync(text), 'gzip').then((result) => finished.push(`small ${result.bytes?.length}`));

    await Promise.all([large, small]);
    expect(finished).toEqual([`large ${16 * 1024 * 1024}`, `small ${text.length}`]);
  });
});
