import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeContent } from './content-encoding';

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

  it('leaves unknown encodings alone', () => {
    expect(decodeContent(text, 'identity')).toEqual({ bytes: null, error: null });
  });
});
