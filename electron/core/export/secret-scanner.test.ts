import { randomBytes } from 'node:crypto';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MAX_DECODED_BYTES } from '../content-encoding';
import { SecretScanner, unescapeOnce } from './secret-scanner';

const KEY = 'madeup-key-zero';
const scanner = new SecretScanner([KEY]);

describe('SecretScanner.containsText', () => {
  it.each([
    ['literal', `x ${KEY} y`],
    ['percent-encoded', 'k=madeup%2Dkey%2dzero'],
    ['twice percent-encoded', 'k=madeup%252Dkey-zero'],
    ['JSON escape', '"madeup\\u002dkey-zero"'],
    ['JSON escape of a backslash escape', '"madeup\\\\u002dkey-zero"'],
    ['percent-encoded JSON escape', 'madeup%5Cu002dkey-zero'],
    ['hex escape', "'madeup\\x2dkey\\x2dzero'"],
    ['braced escape', '"madeup\\u{2d}key-zero"'],
    ['escaped slash and quote', 'madeup\\-key\\-zero'],
  ])('finds a %s key', (_, text) => {
    expect(scanner.containsText(text)).toBe(true);
  });

  it.each([['other text', 'madeup key zero'], ['part of the key', 'madeup-key-zer'], ['empty', '']])('ignores %s', (_, text) => {
    expect(scanner.containsText(text)).toBe(false);
  });

  it('finds the hex and base64 of a key text', () => {
    const base64Key = Buffer.from('made-up-hmac-key').toString('base64');
    const keyed = new SecretScanner([base64Key]);
    expect(keyed.containsText(`X-Sig: ${Buffer.from(base64Key).toString('hex')}`)).toBe(true);
    expect(keyed.containsText(`X-Sig: ${Buffer.from(base64Key).toString('base64')}`)).toBe(true);
  });

  it('finds a key across windows', () => {
    const text = `${'a'.repeat(1024 * 1024 - 10)}madeup%2Dkey%2Dzero${'b'.repeat(100)}`;
    expect(scanner.containsText(text)).toBe(true);
  });

  it('finds a key inside shell quotes', () => {
    const quoted = new SecretScanner(["it's-a-key"]);
    expect(quoted.containsText("'it'\\''s-a-key'")).toBe(true);
  });

  it('finds a key with a space written as plus', () => {
    const spaced = new SecretScanner(['two words']);
    expect(spaced.containsText('q=two+words')).toBe(true);
  });

  it('finds a whsec_ key without its prefix', () => {
    const whsec = new SecretScanner(['whsec_c2VjcmV0LWJ5dGVz']);
    expect(whsec.containsText('c2VjcmV0LWJ5dGVz')).toBe(true);
  });

  it('finds a non-ASCII key in bytes and text', () => {
    const accented = new SecretScanner(['clé-secrète']);
    expect(accented.contains(Buffer.from('x clé-secrète y', 'utf8'))).toBe(true);
    expect(accented.containsText('cl\\u00e9-secr\\u00e8te')).toBe(true);
    expect(accented.containsText('cl%C3%A9-secr%C3%A8te')).toBe(true);
  });

  describe('hex key', () => {
    const HEX_KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const hex = new SecretScanner([HEX_KEY]);
    const bytes = Buffer.from(HEX_KEY, 'hex');

    it.each([
      ['uppercase', HEX_KEY.toUpperCase()],
      ['mixed case', 'A1b2C3d4E5f60718293A4b5C6d7E8f90'],
      ['base64', bytes.toString('base64')],
      ['unpadded base64', bytes.toString('base64').replace(/=+$/, '')],
      ['base64url', bytes.toString('base64url')],
      ['percent-encoded uppercase', `k=${HEX_KEY.toUpperCase().replace(/A/g, '%41')}`],
    ])('finds the %s form', (_, text) => {
      expect(hex.containsText(`{"k":"${text}"}`)).toBe(true);
      expect(hex.contains(Buffer.from(text))).toBe(true);
    });

    it('ignores other hex', () => {
      expect(hex.containsText('A1B2C3D4E5F60718293A4B5C6D7E8F91')).toBe(false);
    });
  });

  it('finds a base64 key as hex and base64url', () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0x00, 0x10, 0x20, 0x30, 0x40, 0x50]);
    const base64 = new SecretScanner([bytes.toString('base64')]);
    expect(base64.containsText(bytes.toString('hex').toUpperCase())).toBe(true);
    expect(base64.containsText(bytes.toString('base64url'))).toBe(true);
  });

  it('finds a whsec_ key as hex', () => {
    const whsec = new SecretScanner(['whsec_c2VjcmV0LWJ5dGVz']);
    expect(whsec.containsText(Buffer.from('secret-bytes').toString('hex').toUpperCase())).toBe(true);
  });

  it('finds the bytes an encoded key stands for', () => {
    const secret = 'raw-hmac-secret-2024';
    for (const encoded of [Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex')]) {
      const keyed = new SecretScanner([encoded]);
      expect(keyed.containsText(`{"leak":"${secret}"}`), encoded).toBe(true);
      expect(keyed.contains(Buffer.from(`X-Debug: ${secret}`)), encoded).toBe(true);
    }
  });

  it('finds the binary bytes of a whsec_ key', () => {
    const bytes = Buffer.from([0x01, 0xfe, 0x80, 0x33, 0x44, 0x00, 0x99, 0xaa, 0xbb, 0xcc]);
    const whsec = new SecretScanner([`whsec_${bytes.toString('base64')}`]);
    expect(whsec.contains(Buffer.concat([Buffer.from('abc'), bytes, Buffer.from('def')]))).toBe(true);
  });

  it.each(['user:', 'us:', 'u:'])('finds a key in Basic credentials after %s', (user) => {
    for (const after of ['', 'x', 'xy']) {
      const credentials = Buffer.from(`${user}${KEY}${after}`).toString('base64');
      expect(scanner.containsText(`Authorization: Basic ${credentials}`), after).toBe(true);
    }
    expect(scanner.containsText(`Basic ${Buffer.from(`${user}other-text-here`).toString('base64')}`)).toBe(false);
  });

  it.each([
    ['UTF-16LE', Buffer.from(`{"k":"${KEY}"}`, 'utf16le')],
    ['UTF-16BE', Buffer.from(`{"k":"${KEY}"}`, 'utf16le').swap16()],
  ])('finds a key in %s bytes', (_, bytes) => {
    expect(scanner.contains(bytes)).toBe(true);
  });

  it.each([
    ['decimal references', [...KEY].map((char) => `&#${char.charCodeAt(0)};`).join('')],
    ['hex references', [...KEY].map((char) => `&#x${char.charCodeAt(0).toString(16)};`).join('')],
  ])('finds a key written as HTML %s', (_, text) => {
    expect(scanner.containsText(`<p>${text}</p>`)).toBe(true);
  });

  it('finds an HTML-escaped key with an ampersand', () => {
    expect(new SecretScanner(['made&up<key>']).containsText('v=made&amp;up&lt;key&gt;')).toBe(true);
  });

  it.each([
    ['base64 wrapped at 76 characters', () => {
      const encoded = Buffer.from(`${'x'.repeat(50)}${KEY}${'y'.repeat(50)}`).toString('base64');
      return encoded.replace(/(.{76})/g, '$1\r\n');
    }],
    ['base64 wrapped at 60 characters', () => Buffer.from(`${'x'.repeat(40)}${KEY}`).toString('base64').replace(/(.{60})/g, '$1\n')],
    ['quoted-printable with a soft line break', () => `token=3D${KEY.slice(0, 5)}=\r\n${KEY.slice(5)}`],
    ['quoted-printable escapes', () => [...KEY].map((char) => `=${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`).join('')],
    ['numeric references without semicolons', () => 'madeup&#45key&#x2d;zero'],
    ['percent-encoding five levels deep', () => `madeup%${'25'.repeat(4)}2Dkey-zero`],
  ])('finds a key in %s', (_, make) => {
    expect(scanner.containsText(make())).toBe(true);
  });

  it('reads HTML5 named punctuation', () => {
    const punctuated = new SecretScanner(['made+up/key=zero']);
    expect(punctuated.containsText('made&plus;up&sol;key&equals;zero')).toBe(true);
  });

  it.each(['1234', 'abcd', 'cafe', '0000', '123456', 'abc123'])('ignores base64 of the short key %s in random data', (key) => {
    const short = new SecretScanner([key]);
    const bodies = Array.from({ length: 20 }, (_, index) => Buffer.from(randomBytes(256 * 1024).toString('base64').replace(new RegExp(key, 'gi'), `-${index}-`)));
    expect(bodies.filter((body) => short.contains(body))).toHaveLength(0);
  });

  it('matches a text key case-sensitively', () => {
    expect(scanner.containsText(KEY.toUpperCase())).toBe(false);
  });

  it('finds nothing without keys', () => {
    expect(new SecretScanner([]).containsText(KEY)).toBe(false);
  });
});

describe('SecretScanner.scanBody', () => {
  const body = Buffer.from(`[{"application_user_id":"${KEY}"}]`);

  it.each([
    ['gzip', gzipSync(body)],
    ['x-gzip', gzipSync(body)],
    ['deflate', deflateSync(body)],
    ['deflate', deflateRawSync(body)],
    ['br', brotliCompressSync(body)],
    ['gzip, br', brotliCompressSync(gzipSync(body))],
  ])('finds a key under %s', (coding, bytes) => {
    expect(scanner.scanBody(bytes, coding)).toBe('found');
  });

  it('finds a key in gzip without Content-Encoding', () => {
    expect(scanner.scanBody(gzipSync(body), null)).toBe('found');
  });

  it('finds a key under four layers of gzip', () => {
    expect(scanner.scanBody(gzipSync(gzipSync(gzipSync(gzipSync(body)))), null)).toBe('found');
  });

  it.each([
    ['gzip inside gzip', gzipSync(gzipSync(body)), 'gzip'],
    ['a zlib stream without Content-Encoding', deflateSync(body), null],
    ['gzip under a wrong coding', gzipSync(body), 'br'],
  ])('finds a key in %s', (_, bytes, coding) => {
    expect(scanner.scanBody(bytes, coding)).toBe('found');
  });

  it('finds a key in truncated gzip', () => {
    // Random bytes do not compress, so the cut removes only their end.
    const padded = gzipSync(Buffer.concat([body, randomBytes(64 * 1024)]));
    expect(scanner.scanBody(padded.subarray(0, padded.length - 1000), 'gzip')).toBe('found');
  });

  it('finds an escaped key in gzip', () => {
    expect(scanner.scanBody(gzipSync('"madeup\\u002dkey-zero"'), 'gzip')).toBe('found');
  });

  it('passes a clean gzip body', () => {
    expect(scanner.scanBody(gzipSync('[{"application_user_id":"u1"}]'), 'gzip')).toBe('clean');
  });

  it('passes corrupt data', () => {
    expect(scanner.scanBody(Buffer.from('not gzip'), 'gzip')).toBe('clean');
  });

  it('reports a body too large to check', () => {
    const bomb = gzipSync(Buffer.alloc(MAX_DECODED_BYTES + 1));
    expect(scanner.scanBody(bomb, 'gzip')).toBe('too-large');
  });
});

describe('unescapeOnce', () => {
  it.each([
    ['a%2Db', 'a-b'],
    ['\\u0041\\n', 'A\n'],
    ['\\"q\\"', '"q"'],
    ["'\\''", "'"],
    ['%zz', '%zz'],
    ['\\u{110000}', '\\u{110000}'],
  ])('decodes %j', (text, expected) => {
    expect(unescapeOnce(text)).toBe(expected);
  });
});
