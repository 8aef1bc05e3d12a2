import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { responsePreview } from './replay';

const text = (value: string): Uint8Array => Buffer.from(value);

describe('responsePreview', () => {
  it('prints a text body', () => {
    expect(responsePreview({ headers: [], body: text('{"ok":true}'), bodySize: 11 })).toBe('{"ok":true}');
  });

  it('decodes a gzip body', () => {
    const body = gzipSync('{"ok":true}');
    expect(responsePreview({ headers: [['Content-Encoding', 'gzip']], body, bodySize: body.byteLength })).toBe('{"ok":true} (decoded from gzip)');
  });

  it('describes a gzip body stored in part', () => {
    const body = gzipSync('x'.repeat(100));
    const preview = responsePreview({ headers: [['Content-Encoding', 'gzip']], body: body.subarray(0, 10), bodySize: body.byteLength });
    expect(preview).toContain('in gzip, not shown: only the first 1 MiB of it was stored');
  });

  it('describes a binary body', () => {
    expect(responsePreview({ headers: [], body: Uint8Array.from([0xff, 0xfe, 0x00, 0x81]), bodySize: 4 })).toBe('(4 B of binary data, not shown)');
  });

  it('keeps a character cut at the preview end', () => {
    const preview = responsePreview({ headers: [], body: text('é'.repeat(2000)), bodySize: 4000 });
    expect(preview.endsWith(' …')).toBe(true);
    expect(preview.startsWith('éé')).toBe(true);
  });
});
