import { createHmac } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { HeaderPair } from '../contract';
import { getVerifier } from './registry';
import { signDelivery } from './sign';
import type { Profile, SignedRequest, VerifyContext } from './types';
import { verifyDelivery } from './verify';

const NOW = 1_700_000_000_000;

function request(headers: HeaderPair[], body: string | Uint8Array, extra: Partial<SignedRequest> = {}): SignedRequest {
  return { method: 'POST', path: '/hooks', headers, body: typeof body === 'string' ? Buffer.from(body) : body, decodedBody: null, publicUrl: null, ...extra };
}

/** Verifies with one scheme and returns the verdict; the test fails unless it is invalid. */
function diagnose(scheme: string, signed: SignedRequest, keys: string[], options: Record<string, unknown> = {}, context: VerifyContext = { now: NOW }) {
  const verifier = getVerifier(scheme);
  if (verifier === undefined) throw new Error(`no scheme ${scheme}`);
  return verifier.verify(signed, keys, verifier.optionsSchema.parse(options), context);
}

/** Signs `signedBody` but delivers `sentBody`, as a sender with that bug would. */
function mismatched(scheme: string, signedBody: string | Uint8Array, sentBody: string | Uint8Array, key: string, options: Record<string, unknown> = {}): SignedRequest {
  return request(signDelivery(scheme, signedBody, key, options, NOW), sentBody);
}

describe('diagnosis of key problems', () => {
  it('finds a trailing newline on the key', () => {
    const verdict = diagnose('github', mismatched('github', 'hello', 'hello', 'secret'), ['secret\n']);
    expect(verdict.status).toBe('invalid');
    expect(verdict.diagnosis).toBe('Key 1 has a trailing line feed ("\\n"): the signature matches the key without it, so remove it from the stored key.');
  });

  it('finds leading whitespace on the second key', () => {
    const verdict = diagnose('shopify', mismatched('shopify', 'hello', 'hello', 'secret'), ['other', '  secret']);
    expect(verdict.diagnosis).toContain('Key 2 has 2 leading spaces ("  ")');
  });

  it('finds a key the sender base64-decodes', () => {
    const raw = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
    const signed = request([['X-Sig', createHmac('sha256', raw).update('hello').digest('hex')]], 'hello');
    const verdict = diagnose('hmac', signed, [raw.toString('base64')], { header: 'X-Sig' });
    expect(verdict.diagnosis).toContain('key 1 decoded from base64');
    expect(verdict.diagnosis).toContain('set "keyEncoding" to "base64"');
  });

  it('finds a key the sender uses as text', () => {
    const key = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const signature = createHmac('sha256', key).update('msg_1.1700000000.hello').digest('base64');
    const signed = request([['webhook-id', 'msg_1'], ['webhook-timestamp', '1700000000'], ['webhook-signature', `v1,${signature}`]], 'hello');
    const verdict = diagnose('standard-webhooks', signed, [key]);
    expect(verdict.diagnosis).toContain('key 1 used as plain text');
  });

  it('finds a key stored without whsec_', () => {
    const verdict = diagnose('stripe', mismatched('stripe', 'hello', 'hello', 'whsec_abc123'), ['abc123']);
    expect(verdict.diagnosis).toContain('with a "whsec_" prefix');
  });

  it('finds a key stored with whsec_', () => {
    const verdict = diagnose('slack', mismatched('slack', 'hello', 'hello', 'abc123'), ['whsec_abc123']);
    expect(verdict.diagnosis).toContain('without its "whsec_" prefix');
  });

  it('finds a Standard Webhooks secret', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const raw = Buffer.from(secret.slice(6), 'base64');
    const signed = request([['X-Sig', createHmac('sha256', raw).update('hello').digest('hex')]], 'hello');
    const verdict = diagnose('hmac', signed, [secret], { header: 'X-Sig' });
    expect(verdict.diagnosis).toContain('read as a Standard Webhooks secret');
  });

  it('finds a key the sender hex-decodes', () => {
    const hex = '00112233445566778899aabbccddeeff';
    const signed = request([['X-Sig', createHmac('sha256', Buffer.from(hex, 'hex')).update('hello').digest('hex')]], 'hello');
    expect(diagnose('hmac', signed, [hex], { header: 'X-Sig' }).diagnosis).toContain('decoded from hex');
  });

  it('names keyEncoding for a hex key', () => {
    // 64 hex digits are also valid base64, so the profile reads the key, just not as the sender does.
    const hex = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
    const signed = request([['X-Sig', createHmac('sha256', Buffer.from(hex, 'hex')).update('hello').digest('hex')]], 'hello');
    const verdict = diagnose('hmac', signed, [hex], { header: 'X-Sig', keyEncoding: 'base64' });
    expect(verdict.diagnosis).toBe(
      'The signature matches key 1 decoded from hex, but the profile decodes the key from base64 first ("keyEncoding" is "base64"): ' +
        'set "keyEncoding" to "hex" in the profile\'s options.',
    );
  });

  it('names keyEncoding for a text key', () => {
    const hex = '00112233445566778899aabbccddeeff';
    const signed = request([['X-Sig', createHmac('sha256', hex).update('hello').digest('hex')]], 'hello');
    const verdict = diagnose('hmac', signed, [hex], { header: 'X-Sig', keyEncoding: 'hex' });
    expect(verdict.diagnosis).toBe(
      'The signature matches key 1 used as plain text, but the profile decodes the key from hex first ("keyEncoding" is "hex"): ' +
        'set "keyEncoding" to "utf8" in the profile\'s options.',
    );
  });

  it('names the Standard Webhooks reading', () => {
    const hex = '00112233445566778899aabbccddeeff';
    const signature = createHmac('sha256', Buffer.from(hex, 'hex')).update('msg_1.1700000000.hello').digest('base64');
    const signed = request([['webhook-id', 'msg_1'], ['webhook-timestamp', '1700000000'], ['webhook-signature', `v1,${signature}`]], 'hello');
    const verdict = diagnose('standard-webhooks', signed, [hex]);
    expect(verdict.diagnosis).toBe(
      'The signature matches key 1 decoded from hex, but Standard Webhooks decodes the key from base64 first, after any "whsec_" prefix: ' +
        'the sender hex-decodes the secret before signing, so check its signing code.',
    );
  });

  it('finds a newline on the sender key', () => {
    const verdict = diagnose('github', mismatched('github', 'hello', 'hello', 'secret\n'), ['secret']);
    expect(verdict.diagnosis).toContain('with a trailing line feed ("\\n") added');
  });
});

describe('diagnosis of whitespace around the key', () => {
  // Stored key, the key the sender signs with, and words the finding must contain.
  const cases: [string, string, string][] = [
    ['k\r\n', 'k', 'Key 1 has a trailing carriage return and line feed ("\\r\\n"): the signature matches the key without it'],
    ['k\r', 'k', 'Key 1 has a trailing carriage return ("\\r")'],
    ['k\n\n', 'k', 'Key 1 has 2 trailing line feeds ("\\n\\n"): the signature matches the key without them'],
    ['\tk\r\n', 'k', 'Key 1 has a leading tab ("\\t") and a trailing carriage return and line feed ("\\r\\n")'],
    [' k ', 'k', 'Key 1 has a leading space (" ") and a trailing space (" ")'],
    ['\ufeffk', 'k', 'Key 1 has a leading byte order mark ("\\ufeff")'],
    ['k', 'k\r\n', 'with a trailing carriage return and line feed ("\\r\\n") added: the sender\'s copy of the secret ends with it'],
    ['k', 'k\r', 'with a trailing carriage return ("\\r") added'],
    ['k\r\n', 'k\n', 'Key 1 ends with a carriage return and line feed ("\\r\\n"), but the signature matches it ending with a line feed ("\\n") instead'],
    ['k\n', 'k\r\n', 'Key 1 ends with a line feed ("\\n"), but the signature matches it ending with a carriage return and line feed ("\\r\\n") instead'],
    ['k\r\n', 'k\r\n\r\n', 'ending with 2 carriage return and line feed pairs ("\\r\\n\\r\\n") instead'],
    [' k', 'k\n', 'with a trailing line feed ("\\n") added and without a leading space (" ")'],
  ];

  for (const [stored, sender, words] of cases) {
    it(`finds ${JSON.stringify(stored).replace('\ufeff', '\\ufeff')} stored, ${JSON.stringify(sender)} signed`, () => {
      const verdict = diagnose('spike', mismatched('spike', '[]', '[]', sender), [stored]);
      expect(verdict.status).toBe('invalid');
      expect(verdict.diagnosis).toContain(words);
    });
  }

  it('finds whitespace on a hex key', () => {
    const hex = '00112233445566778899aabbccddeeff';
    const signed = request([['X-Sig', createHmac('sha256', Buffer.from(hex, 'hex')).update('hello').digest('hex')]], 'hello');
    const verdict = diagnose('hmac', signed, [`${hex}\r\n`], { header: 'X-Sig', keyEncoding: 'hex' });
    expect(verdict.diagnosis).toContain('Key 1 has a trailing carriage return and line feed');
  });

  it('never shows the key', () => {
    const key = 'spike-key-never-shown';
    const verdict = diagnose('spike', mismatched('spike', '[]', '[]', key), [`${key}\r\n`]);
    expect(verdict.diagnosis).not.toContain(key);
    expect(verdict.reason).not.toContain(key);
  });
});

describe('diagnosis of digest encoding', () => {
  it('finds a base64 digest where hex is sent', () => {
    const digest = createHmac('sha256', 'secret').update('hello').digest('base64');
    const verdict = diagnose('github', request([['X-Hub-Signature-256', `sha256=${digest}`]], 'hello'), ['secret']);
    expect(verdict.diagnosis).toContain('right digest in base64, but GitHub sends hex');
  });

  it('names the encoding option', () => {
    const digest = createHmac('sha256', 'secret').update('hello').digest('base64');
    const verdict = diagnose('hmac', request([['X-Sig', digest]], 'hello'), ['secret'], { header: 'X-Sig' });
    expect(verdict.diagnosis).toContain('set "encoding" to "base64"');
  });

  it('finds another algorithm', () => {
    const digest = createHmac('sha1', 'secret').update('hello').digest('hex');
    const verdict = diagnose('hmac', request([['X-Sig', digest]], 'hello'), ['secret'], { header: 'X-Sig' });
    expect(verdict.diagnosis).toContain('set "algorithm" to "sha1"');
  });
});

describe('diagnosis of body changes', () => {
  const value = { id: 'evt_1', url: 'https://example.com/a/b', name: 'Zoë ☕', amount: 10.50, items: [1, 2], empty: {} };
  const compact = '{"id":"evt_1","url":"https://example.com/a/b","name":"Zoë ☕","amount":10.50,"items":[1,2],"empty":{}}';
  const pretty = JSON.stringify(value, null, 2).replace('10.5', '10.50');

  const cases: [string, string, string, string][] = [
    ['compact signed, pretty sent', compact, pretty, 'compact JSON'],
    ['pretty signed, compact sent', pretty, compact, 'JSON indented by 2 spaces'],
    ['Python dumps signed', '{"id": "evt_1", "url": "https://example.com/a/b", "name": "Zo\\u00eb \\u2615", "amount": 10.50, "items": [1, 2], "empty": {}}', compact, 'Python json.dumps default) with non-ASCII characters escaped'],
    ['escaped unicode sent', compact, compact.replace('Zoë ☕', 'Zo\\u00eb \\u2615'), 'this JSON with \\uXXXX escapes written as the characters'],
    ['escaped slashes signed', compact.replace(/\//g, '\\/'), compact, '"/" escaped as "\\/"'],
    ['escaped slashes sent', compact, compact.replace(/\//g, '\\/'), '"\\/" written as "/"'],
    ['numbers normalized', JSON.stringify(value), compact, 'parsed and re-stringified by JavaScript'],
  ];

  for (const [name, signedBody, sentBody, words] of cases) {
    it(`finds JSON ${name}`, () => {
      const verdict = diagnose('github', mismatched('github', signedBody, sentBody, 'secret'), ['secret']);
      expect(verdict.status).toBe('invalid');
      expect(verdict.diagnosis).toContain(words);
    });
  }

  it('finds an appended newline', () => {
    const verdict = diagnose('stripe', mismatched('stripe', compact, `${compact}\n`, 'whsec_x'), ['whsec_x']);
    expect(verdict.diagnosis).toContain('without its final newline');
  });

  it('finds a stripped newline', () => {
    const verdict = diagnose('stripe', mismatched('stripe', `${compact}\n`, compact, 'whsec_x'), ['whsec_x']);
    expect(verdict.diagnosis).toContain('final LF newline added');
  });

  it('finds CRLF turned into LF', () => {
    const verdict = diagnose('spike', mismatched('spike', 'a=1\r\nb=2\r\nc', 'a=1\nb=2\nc', 'k'), ['k']);
    expect(verdict.diagnosis).toContain('CRLF line endings, but it arrived with LF');
  });

  it('finds LF turned into CRLF', () => {
    const verdict = diagnose('spike', mismatched('spike', 'a=1\nb=2\nc', 'a=1\r\nb=2\r\nc', 'k'), ['k']);
    expect(verdict.diagnosis).toContain('LF line endings, but it arrived with CRLF');
  });

  it('finds CRLF in an indented JSON body', () => {
    const indented = JSON.stringify({ id: 'evt_1', object: 'event', data: { amount: 1050 } }, null, 2);
    const verdict = diagnose('stripe', mismatched('stripe', indented, indented.replace(/\n/g, '\r\n'), 'whsec_x'), ['whsec_x']);
    expect(verdict.diagnosis).toBe(
      'The signature matches the body with LF line endings, but it arrived with CRLF: the line endings changed after signing (a text-mode transfer, Git autocrlf or an editor), so keep the signed bytes.',
    );
  });

  it('finds a signature over the gunzipped body', () => {
    const plain = Buffer.from(compact);
    const gzipped = gzipSync(plain);
    const signed = request(signDelivery('shopify', plain, 'k'), gzipped, { decodedBody: plain });
    signed.headers = [...signed.headers, ['Content-Encoding', 'gzip']];
    expect(diagnose('shopify', signed, ['k']).diagnosis).toContain('after undoing its gzip Content-Encoding');
  });
});

describe('diagnosis of a body without its decoded copy', () => {
  const plain = Buffer.from(JSON.stringify([{ event_type: 'record_change', padding: 'x'.repeat(4000) }]));
  const gzipped = gzipSync(plain);
  // The receiver's decode error for a decoded body over a bodyLimit of 1000.
  const overLimit =
    'Undoing gzip gives more than 1000 bytes, the body limit, so only the body as received is stored. ' +
    'Set a larger bodyLimit in the --config file of hooktray listen or hooktray ui to store it decoded as well.';

  function undecoded(signedBody: Uint8Array, decodeError: string, encoding = 'gzip'): SignedRequest {
    const signed = request(signDelivery('spike', signedBody, 'k'), gzipped, { decodeError });
    signed.headers = [...signed.headers, ['Content-Encoding', encoding]];
    return signed;
  }

  it('names the body limit for a decoded body over it', () => {
    const verdict = diagnose('spike', undecoded(plain, overLimit), ['k']);
    expect(verdict.status).toBe('invalid');
    expect(verdict.diagnosis).toBe(
      'The body arrived with Content-Encoding "gzip", and its decoded form is larger than the body limit of 1000 bytes, so Hooktray kept only the body as received. ' +
        'A signature over the decoded body therefore cannot be checked: raise bodyLimit in the --config file of hooktray listen or hooktray ui, ' +
        'then receive the delivery again, from the sender or by re-sending it to the receiver. If the sender signs the body as received, check the key.',
    );
  });

  it('quotes any other decode error', () => {
    const verdict = diagnose('spike', undecoded(plain, 'Unsupported content coding "zstd": Hooktray decodes only gzip, x-gzip, deflate, br.', 'zstd'), ['k', 'k2']);
    expect(verdict.diagnosis).toBe(
      'The body arrived with Content-Encoding "zstd", and Hooktray could not decode it, so a signature over the decoded body cannot be checked. ' +
        'Unsupported content coding "zstd": Hooktray decodes only gzip, x-gzip, deflate, br. If the sender signs the body as received, check each of the 2 keys.',
    );
  });

  it('prefers a cause that reproduces the signature', () => {
    const verdict = diagnose('spike', undecoded(gzipped, overLimit), ['k\n']);
    expect(verdict.diagnosis).toContain('Key 1 has a trailing line feed');
  });

  it('keeps a signature over the received body valid', () => {
    const verdict = diagnose('spike', undecoded(gzipped, overLimit), ['k']);
    expect(verdict.status).toBe('valid');
  });

  it('points to the key without a decode error', () => {
    const verdict = diagnose('spike', undecoded(plain, ''), ['k']);
    expect(verdict.diagnosis).toMatch(/^Nothing explains the mismatch/);
  });
});

describe('diagnosis of Twilio URLs', () => {
  const body = 'CallSid=CA1&From=%2B15005550006';
  const form: HeaderPair = ['Content-Type', 'application/x-www-form-urlencoded'];
  const host: HeaderPair = ['Host', '127.0.0.1:4040'];

  function signedFor(url: string, extra: Partial<SignedRequest> = {}): SignedRequest {
    const signature = signDelivery('twilio', body, 'token', {}, NOW, { url, contentType: form[1] });
    return request([host, form, ...signature], body, { path: '/sms?x=1', publicUrl: 'https://demo.loca.lt', ...extra });
  }

  it('finds the other scheme', () => {
    expect(diagnose('twilio', signedFor('http://demo.loca.lt/sms?x=1'), ['token']).diagnosis).toContain('http:// instead of https://');
  });

  it('finds the local URL', () => {
    expect(diagnose('twilio', signedFor('http://127.0.0.1:4040/sms?x=1'), ['token']).diagnosis).toContain('local URL http://127.0.0.1:4040/sms?x=1');
  });

  it('finds a trailing slash', () => {
    expect(diagnose('twilio', signedFor('https://demo.loca.lt/sms/?x=1'), ['token']).diagnosis).toContain('with a trailing slash');
  });

  it('finds an explicit port', () => {
    const signed = signedFor('https://demo.loca.lt:8443/sms?x=1');
    signed.headers = [...signed.headers, ['X-Forwarded-Port', '8443']];
    expect(diagnose('twilio', signed, ['token']).diagnosis).toContain('port 8443');
  });

  it('finds the tunnel URL over publicUrl', () => {
    const verdict = diagnose('twilio', signedFor('https://demo.loca.lt/sms?x=1'), ['token'], { publicUrl: 'https://api.example.com' });
    expect(verdict.diagnosis).toContain("not the profile's publicUrl");
  });

  it('finds a dropped query', () => {
    expect(diagnose('twilio', signedFor('https://demo.loca.lt/sms'), ['token']).diagnosis).toContain('without its query string');
  });
});

describe('diagnosis of keys and clocks', () => {
  it('finds another profile key', () => {
    const profiles: Profile[] = [
      { name: 'live', scheme: 'github', pathPrefix: '/live', options: { legacySha1: true } },
      { name: 'test', scheme: 'github', pathPrefix: '/test', options: { legacySha1: true } },
    ];
    const vault = { keysFor: (name: string) => (name === 'live' ? ['live-key'] : ['old-test-key', 'test-key']) };
    const signed = request(signDelivery('github', 'hello', 'test-key'), 'hello', { path: '/live/hook' });
    const verdict = verifyDelivery(signed, profiles, vault, { now: NOW });
    expect(verdict.status).toBe('invalid');
    expect(verdict.diagnosis).toContain('key 2 of profile "test"');
  });

  it('finds a timestamp signed in milliseconds', () => {
    const digest = createHmac('sha256', 'k').update(`${NOW}.hello`).digest('hex');
    const options = { header: 'X-Sig', template: '{timestamp}.{body}', timestampHeader: 'X-Ts' };
    const verdict = diagnose('hmac', request([['X-Sig', digest], ['X-Ts', String(NOW / 1000)]], 'hello'), ['k'], options);
    expect(verdict.diagnosis).toContain('timestamp in milliseconds, but the header has seconds');
  });

  it('finds a clock read twice', () => {
    const digest = createHmac('sha256', 'k').update('v0:1700000003:hello').digest('hex');
    const signed = request([['X-Slack-Signature', `v0=${digest}`], ['X-Slack-Request-Timestamp', '1700000000']], 'hello');
    expect(diagnose('slack', signed, ['k']).diagnosis).toContain('timestamp 1700000003, 3 s after');
  });

  it('points to the key when nothing explains', () => {
    const verdict = diagnose('github', mismatched('github', '{"a":1}', '{"a":1}', 'right key'), ['plainly wrong']);
    expect(verdict.diagnosis).toMatch(/^Nothing explains the mismatch: .* so check the key: it is most likely not the one this sender signs with\.$/);
  });

  it('counts several wrong keys', () => {
    const verdict = diagnose('github', mismatched('github', 'x', 'x', 'right'), ['wrong1', 'wrong2']);
    expect(verdict.reason).toContain('HMAC-SHA256 of the body matches none of the 2 keys: received');
    expect(verdict.diagnosis).toContain('check each of the 2 keys');
  });

  it('names the changes tried for a body', () => {
    const verdict = diagnose('github', mismatched('github', 'x', 'x', 'right'), ['wrong']);
    expect(verdict.diagnosis).toContain(
      "Nothing explains the mismatch: no change to the key's whitespace, encoding or prefix, or to the body, its line endings or compression reproduces the signature",
    );
  });

  it('names the timestamp when one was tried', () => {
    const verdict = diagnose('slack', mismatched('slack', 'x', 'x', 'right'), ['wrong']);
    expect(verdict.diagnosis).toContain('prefix, to the body, its line endings or compression, or to the timestamp reproduces the signature');
  });

  it('names several unreadable keys', () => {
    const signed = request(signDelivery('standard-webhooks', 'x', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', {}, NOW), 'x');
    const verdict = diagnose('standard-webhooks', signed, ['not a secret!', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSx', 'nor this!']);
    expect(verdict.diagnosis).toContain('Keys 1 and 3 cannot be read as Standard Webhooks keys at all.');
  });

  it('names an unreadable key', () => {
    const signed = request(signDelivery('standard-webhooks', 'x', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', {}, NOW), 'x');
    const verdict = diagnose('standard-webhooks', signed, ['not a secret!']);
    expect(verdict.diagnosis).toContain('Key 1 cannot be read as a Standard Webhooks key');
  });

  it('never shows a key or a whole digest', () => {
    const key = 'whsec_do-not-print-me';
    const body = '{"a":1}';
    const verdict = diagnose('stripe', mismatched('stripe', body, body, 'whsec_another'), [key]);
    const expected = createHmac('sha256', key).update(`${NOW / 1000}.${body}`).digest('hex');
    const text = `${verdict.reason} ${verdict.diagnosis}`;
    expect(text).not.toContain('do-not-print-me');
    expect(text).not.toContain(expected);
    expect(verdict.reason).toContain(`expected ${expected.slice(0, 8)}…${expected.slice(-4)} with key 1`);
  });
});

describe('diagnosis of timestamps', () => {
  const signed = request(signDelivery('slack', 'hello', 'k', {}, NOW), 'hello');

  it('says a stored delivery is only old', () => {
    const verdict = diagnose('slack', signed, ['k'], {}, { now: NOW + 86_400_000 * 3, receivedAt: NOW + 2_000 });
    expect(verdict.status).toBe('timestamp-out-of-tolerance');
    expect(verdict.reason).toContain('3 days behind');
    expect(verdict.diagnosis).toContain('It was within the tolerance when it arrived');
  });

  it('finds a clock ahead', () => {
    const verdict = diagnose('slack', signed, ['k'], {}, { now: NOW - 600_000 });
    expect(verdict.diagnosis).toContain('10 min ahead of the arrival time');
  });

  it('finds a clock behind', () => {
    const verdict = diagnose('slack', signed, ['k'], {}, { now: NOW + 900_000 });
    expect(verdict.diagnosis).toContain('15 min older than the arrival time');
  });

  it('finds a late delivery', () => {
    const verdict = diagnose('slack', signed, ['k'], {}, { now: NOW + 5 * 3_600_000, receivedAt: NOW + 5 * 3_600_000 });
    expect(verdict.diagnosis).toContain('arrived 5 h after it was signed');
  });
});
