import { describe, expect, it, vi } from 'vitest';
import { base64ToBytes, bytesToBase64, fromWire, toWire } from './wire';

function roundTrip(value: unknown): unknown {
  return fromWire(JSON.parse(JSON.stringify(toWire(value))));
}

describe('wire encoding', () => {
  it('round-trips bytes, Buffers included', () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const result = roundTrip({ body: bytes, decoded: Buffer.from('héllo'), none: null }) as Record<string, unknown>;
    expect(result.body).toBeInstanceOf(Uint8Array);
    expect([...(result.body as Uint8Array)]).toEqual([0, 1, 2, 250, 255]);
    expect(new TextDecoder().decode(result.decoded as Uint8Array)).toBe('héllo');
    expect(result.none).toBeNull();
  });

  it('restores objects that use the tag key themselves', () => {
    const headers = { $type: 'bytes', base64: 'AAEC' };
    expect(roundTrip({ headers })).toEqual({ headers });
  });

  it('keeps a __proto__ key as an own property', () => {
    const keyCounts = Object.fromEntries([
      ['__proto__', 2],
      ['spike', 1],
    ]);
    const result = roundTrip({ keyCounts, tagged: Object.fromEntries([['__proto__', 3], ['$type', 'bytes']]) }) as Record<string, Record<string, unknown>>;
    expect(Object.keys(result.keyCounts ?? {})).toEqual(['__proto__', 'spike']);
    expect(Object.getOwnPropertyDescriptor(result.keyCounts, '__proto__')?.value).toBe(2);
    expect(Object.getPrototypeOf(result.keyCounts)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(result.tagged, '__proto__')?.value).toBe(3);
    expect(Object.getPrototypeOf(result.tagged)).toBe(Object.prototype);
  });

  it('keeps arrays and scalars', () => {
    expect(roundTrip([1, 'two', true, { nested: [3] }])).toEqual([1, 'two', true, { nested: [3] }]);
  });

  it('encodes large bodies in chunks', () => {
    const big = new Uint8Array(200_000).map((_, index) => index % 256);
    expect(Buffer.from(base64ToBytes(bytesToBase64(big))).equals(Buffer.from(big))).toBe(true);
    expect(bytesToBase64(big)).toBe(Buffer.from(big).toString('base64'));
  });

  it('encodes without Buffer, as in a browser', () => {
    const big = new Uint8Array(100_000).map((_, index) => (index * 7) % 256);
    const expected = Buffer.from(big).toString('base64');
    vi.stubGlobal('Buffer', undefined);
    try {
      expect(bytesToBase64(big)).toBe(expected);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
