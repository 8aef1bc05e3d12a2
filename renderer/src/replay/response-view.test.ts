import { describe, expect, it } from 'vitest';
import type { HeaderPair, TargetResponse } from '../../../electron/core/contract';
import { MAX_SHOWN_HEX_BYTES, redirectLocation, responseBodyNotes, responseBodyView } from './response-view';

type BodyFacts = Pick<TargetResponse, 'status' | 'headers' | 'body' | 'bodySize' | 'error'>;

function response(body: Uint8Array, overrides: Partial<BodyFacts> = {}): BodyFacts {
  return { status: 200, headers: [], body, bodySize: body.byteLength, error: null, ...overrides };
}

describe('responseBodyView', () => {
  it('escapes control characters and keeps lines', () => {
    const view = responseBodyView(new TextEncoder().encode(`${'ok '.repeat(100)}\u001b[31m\nnext\u202e`));
    expect(view).toEqual({ kind: 'text', text: `${'ok '.repeat(100)}\\x1b[31m\nnext\\u202e`, cut: false });
  });

  it('shows the start of a binary body in hex', () => {
    const view = responseBodyView(new Uint8Array(1000).fill(0xff));
    expect(view.kind).toBe('binary');
    if (view.kind !== 'binary') return;
    expect(view.cut).toBe(true);
    expect(view.lines).toHaveLength(MAX_SHOWN_HEX_BYTES / 16);
    expect(view.lines[0]).toContain('ff ff ff ff');
  });

  it('has no view of an empty body', () => {
    expect(responseBodyView(new Uint8Array(0))).toEqual({ kind: 'empty' });
  });
});

describe('responseBodyNotes', () => {
  it('marks a body that did not finish', () => {
    const body = new TextEncoder().encode('partial');
    const notes = responseBodyNotes(response(body, { error: { code: 'timeout', message: 'timed out' } }), responseBodyView(body));
    expect(notes).toEqual(['The body did not finish: only 7 B arrived before the error, so it is incomplete.']);
  });

  it('names a body stored in part', () => {
    const body = new TextEncoder().encode('abc');
    const notes = responseBodyNotes(response(body, { bodySize: 2 * 1024 * 1024 }), responseBodyView(body));
    expect(notes).toEqual(['The target sent 2.0 MiB; Hooktray stored the first 3 B.']);
  });

  it('names the Content-Encoding', () => {
    const body = new Uint8Array([0x1f, 0x8b, 0x08, 0x00]);
    const headers: HeaderPair[] = [['Content-Encoding', 'gzip']];
    const notes = responseBodyNotes(response(body, { headers }), responseBodyView(body));
    expect(notes).toEqual(['The body is shown as received, encoded as gzip (Content-Encoding).', 'The body is binary (4 B stored), so all of it is shown in hex.']);
  });
});

describe('redirectLocation', () => {
  it('resolves a relative Location', () => {
    expect(redirectLocation('/moved?x=1', 'http://127.0.0.1:3006/slow')).toBe('http://127.0.0.1:3006/moved?x=1');
  });

  it('returns null without a Location', () => {
    expect(redirectLocation(undefined, 'http://127.0.0.1:3006/slow')).toBeNull();
  });

  it('escapes what it cannot resolve', () => {
    expect(redirectLocation('http://[bad\u0085', 'http://127.0.0.1:3006/')).toBe('http://[bad\\x85');
  });
});
