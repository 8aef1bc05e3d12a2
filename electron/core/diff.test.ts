import { describe, expect, it } from 'vitest';
import type { HeaderPair } from './contract';
import { spikeEvent } from '../../test/support/spike';
import { diffDeliveries, diffHeaders } from './diff';

const encoder = new TextEncoder();


function side(label: string, body: string, headers: HeaderPair[] = [['Content-Type', 'application/json']]) {
  return { label, headers, body: encoder.encode(body) };
}

describe('diffDeliveries', () => {
  it('lists exactly the changed paths of two Spike bodies', () => {
    const left = JSON.stringify([spikeEvent(), spikeEvent({ application_user_id: 'user-2' })]);
    const changedSecond = { ...spikeEvent({ application_user_id: 'user-2', provider_slug: 'oura' }), metrics: ['steps'] };
    const right = JSON.stringify([spikeEvent({ timestamp: '2025-04-15T13:34:00.000000001Z' }), changedSecond, spikeEvent({ application_user_id: 'user-3' })]);

    const diff = diffDeliveries(side('a', left), side('b', right));

    expect(diff.json?.changes.map((change) => `${change.kind} ${change.path}`).sort()).toEqual([
      'added /2',
      'changed /0/timestamp',
      'changed /1/provider_slug',
      'removed /1/metrics/1',
    ]);
    expect(diff.json?.truncated).toBe(false);
    const timestamp = diff.json?.changes.find((change) => change.path === '/0/timestamp');
    expect(timestamp?.before).toBe('"2025-04-15T13:33:55.271331177Z"');
    expect(timestamp?.after).toBe('"2025-04-15T13:34:00.000000001Z"');
  });

  it('compares numbers beyond 2^53 exactly', () => {
    const diff = diffDeliveries(side('a', '{"big": 9007199254740993, "same": 123456789012345678901234567890}'), side('b', '{"big": 9007199254740992, "same": 123456789012345678901234567890}'));
    expect(diff.json?.changes).toEqual([{ path: '/big', kind: 'changed', before: '9007199254740993', after: '9007199254740992' }]);
  });

  it('treats equal values written differently as equal', () => {
    const diff = diffDeliveries(side('a', '{"a": 1.0, "b": "\\u0041", "c": [1, 2]}'), side('b', '{"c":[1,2],"b":"A","a":1}'));
    expect(diff.json?.changes).toEqual([]);
    expect(diff.identicalBodies).toBe(false);
    expect(diff.bodyPatch.status).toBe('changed');
  });

  it('skips volatile fields on request', () => {
    const left = side('a', JSON.stringify({ id: 'evt_1', created: 1, data: { amount: 10, timestamp: 'x' } }), [['Stripe-Signature', 't=1,v1=aa'], ['Content-Type', 'application/json']]);
    const right = side('b', JSON.stringify({ id: 'evt_2', created: 2, data: { amount: 11, timestamp: 'y' } }), [['Stripe-Signature', 't=2,v1=bb'], ['Content-Type', 'application/json']]);

    const strict = diffDeliveries(left, right);
    expect(strict.json?.changes.map((change) => change.path).sort()).toEqual(['/created', '/data/amount', '/data/timestamp', '/id']);
    expect(strict.headerChanges.map((change) => change.name)).toEqual(['stripe-signature']);

    const relaxed = diffDeliveries(left, right, { ignoreVolatile: true });
    expect(relaxed.json?.changes.map((change) => change.path)).toEqual(['/data/amount']);
    expect(relaxed.headerChanges).toEqual([]);
    expect(relaxed.headerPatch.status).toBe('identical');
  });

  it('leaves volatile fields out of body lines', () => {
    const left = side('a', JSON.stringify({ id: 'evt_1', createdAt: 1, data: { amount: 10, timestamp: 'x' } }));
    const right = side('b', JSON.stringify({ id: 'evt_2', createdAt: 2, data: { amount: 11, timestamp: 'y' } }));

    const strict = diffDeliveries(left, right).bodyPatch.hunks.flatMap((hunk) => hunk.lines);
    expect(strict).toContain('-  "id": "evt_1",');

    const relaxed = diffDeliveries(left, right, { ignoreVolatile: true }).bodyPatch;
    expect(relaxed.status).toBe('changed');
    const lines = relaxed.hunks.flatMap((hunk) => hunk.lines);
    expect(lines).toContain('-    "amount": 10');
    expect(lines).toContain('+    "amount": 11');
    expect(lines.filter((line) => /"(id|createdAt|timestamp)"/.test(line))).toEqual([]);
  });

  it('treats volatile-only body changes as identical', () => {
    const left = side('a', JSON.stringify([spikeEvent(), spikeEvent({ application_user_id: 'user-2' })]));
    const right = side('b', JSON.stringify([spikeEvent({ timestamp: '2025-04-15T13:34:00Z' }), spikeEvent({ application_user_id: 'user-2', timestamp: '2025-04-15T13:34:01Z' })]));

    expect(diffDeliveries(left, right).bodyPatch.status).toBe('changed');
    const relaxed = diffDeliveries(left, right, { ignoreVolatile: true });
    expect(relaxed.json?.changes).toEqual([]);
    expect(relaxed.bodyPatch.status).toBe('identical');
    expect(relaxed.bodyPatch.hunks).toEqual([]);
  });

  it('keeps text body lines with volatile fields', () => {
    const diff = diffDeliveries(side('a', 'id=1&amount=10'), side('b', 'id=2&amount=10'), { ignoreVolatile: true });
    expect(diff.bodyPatch.status).toBe('changed');
  });

  it('escapes pointer characters in keys', () => {
    const diff = diffDeliveries(side('a', '{"a/b": 1, "c~d": 1}'), side('b', '{"a/b": 2, "c~d": 2}'));
    expect(diff.json?.changes.map((change) => change.path).sort()).toEqual(['/a~1b', '/c~0d']);
  });

  it('keeps a byte order mark in body lines', () => {
    const diff = diffDeliveries(side('a', '\uFEFF{"a":1}'), side('b', '{"a":1}'));
    expect(diff.left.kind).toBe('json');
    expect(diff.json?.changes).toEqual([]);
    expect(diff.identicalBodies).toBe(false);
    expect(diff.bodyPatch.status).toBe('changed');
    expect(diff.bodyPatch.hunks.flatMap((hunk) => hunk.lines)).toContain('-\uFEFF{');
  });

  it('diffs indented JSON lines when bodies are minified', () => {
    const diff = diffDeliveries(side('a', '{"a":1,"b":2}'), side('b', '{"a":1,"b":3}'));
    expect(diff.bodyPatch.status).toBe('changed');
    const lines = diff.bodyPatch.hunks.flatMap((hunk) => hunk.lines);
    expect(lines).toContain('-  "b": 2');
    expect(lines).toContain('+  "b": 3');
  });

  it('falls back to text for non-JSON bodies', () => {
    const diff = diffDeliveries(side('a', 'a=1&b=2'), side('b', 'a=1&b=3'));
    expect(diff.json).toBeNull();
    expect(diff.left.kind).toBe('text');
    expect(diff.left.jsonError).toBe('The body is not JSON (Invalid JSON at character 0: unexpected character "a").');
    expect(diff.bodyPatch.hunks.flatMap((hunk) => hunk.lines)).toEqual(['-a=1&b=2', '\\ No newline at end of file', '+a=1&b=3', '\\ No newline at end of file']);
  });

  it('names the depth limit for deep JSON', () => {
    const deep = `${'['.repeat(513)}${']'.repeat(513)}`;
    const diff = diffDeliveries(side('a', deep), side('b', '[]'));
    expect(diff.json).toBeNull();
    expect(diff.left.jsonError).toBe("The body's arrays and objects are nested deeper than 512 levels, the limit for comparing bodies as JSON.");
    expect(diff.right.jsonError).toBeNull();
  });

  it('compares JSON nested 512 levels deep', () => {
    const deep = `${'['.repeat(512)}${']'.repeat(512)}`;
    const diff = diffDeliveries(side('a', deep), side('b', '[]'));
    expect(diff.left.jsonError).toBeNull();
    expect(diff.json).not.toBeNull();
  });

  it('reports binary bodies by first differing offset', () => {
    const left = { label: 'a', headers: [], body: new Uint8Array([0xff, 0xfe, 1, 2]) };
    const right = { label: 'b', headers: [], body: new Uint8Array([0xff, 0xfe, 1, 3]) };
    const diff = diffDeliveries(left, right);
    expect(diff.left.kind).toBe('binary');
    expect(diff.bodyPatch.status).toBe('binary');
    expect(diff.bodyPatch.reason).toContain('offset 3');
  });

  it('gives up on line diffs beyond the edit limit', () => {
    const left = Array.from({ length: 200 }, (_, index) => `left ${index}`).join('\n');
    const right = Array.from({ length: 200 }, (_, index) => `right ${index}`).join('\n');
    const diff = diffDeliveries(side('a', left), side('b', right), { maxEditLength: 50 });
    expect(diff.bodyPatch.status).toBe('too-different');
    expect(diff.bodyPatch.hunks).toEqual([]);
    expect(diff.bodyPatch.reason).toBe('The texts need more than 50 line edits, so no line diff is shown.');
  });

  it('lowers the edit limit for long texts', () => {
    const left = Array.from({ length: 1000 }, (_, index) => `line ${index}`).join('\n');
    const right = Array.from({ length: 1000 }, (_, index) => (index % 2 === 0 ? `LINE ${index}` : `line ${index}`)).join('\n');

    const roomy = diffDeliveries(side('a', left), side('b', right));
    expect(roomy.bodyPatch.status).toBe('changed');

    // 1,000 lines on each side and room for 1,000,000 line comparisons leave 500 edits.
    const bounded = diffDeliveries(side('a', left), side('b', right), { maxLineDiffWork: 1_000_000 });
    expect(bounded.bodyPatch.status).toBe('too-different');
    expect(bounded.bodyPatch.reason).toBe('The texts need more than 500 line edits, so no line diff is shown.');
  });

  it('bounds the line diff of large bodies by default', () => {
    const left = Array.from({ length: 150_000 }, (_, index) => `line ${index}`).join('\n');
    const right = Array.from({ length: 150_000 }, (_, index) => (index % 7 === 0 ? `LINE ${index}` : `line ${index}`)).join('\n');

    const diff = diffDeliveries(side('a', left), side('b', right));
    expect(diff.bodyPatch.status).toBe('too-different');
    expect(diff.bodyPatch.reason).toBe('The texts need more than 6666 line edits, so no line diff is shown.');
  });

  it('points to JSON changes only when both bodies are JSON', () => {
    const jsonLeft = JSON.stringify(Array.from({ length: 200 }, (_, index) => `left ${index}`));
    const jsonRight = JSON.stringify(Array.from({ length: 200 }, (_, index) => `right ${index}`));
    const both = diffDeliveries(side('a', jsonLeft), side('b', jsonRight), { maxEditLength: 50 });
    expect(both.bodyPatch.status).toBe('too-different');
    expect(both.bodyPatch.reason).toContain('The JSON changes list what differs.');

    const textRight = Array.from({ length: 200 }, (_, index) => `right ${index}`).join('\n');
    const oneText = diffDeliveries(side('a', jsonLeft), side('b', textRight), { maxEditLength: 50 });
    expect(oneText.json).toBeNull();
    expect(oneText.bodyPatch.status).toBe('too-different');
    expect(oneText.bodyPatch.reason).not.toContain('JSON');
    expect(oneText.bodyPatch.reason).not.toContain('structural');
  });

  it('stops listing changes at the limit', () => {
    const left = JSON.stringify(Array.from({ length: 50 }, (_, index) => index));
    const right = JSON.stringify(Array.from({ length: 50 }, (_, index) => index + 1));
    const diff = diffDeliveries(side('a', left), side('b', right), { maxChanges: 10 });
    expect(diff.json?.changes).toHaveLength(10);
    expect(diff.json?.truncated).toBe(true);
  });

  it('diffs a 5 MB body', () => {
    const events = Array.from({ length: 20_000 }, (_, index) => spikeEvent({ application_user_id: `user-${index}` }));
    const left = JSON.stringify(events);
    events[12_345] = spikeEvent({ application_user_id: 'someone-else' });
    const right = JSON.stringify(events);
    expect(left.length).toBeGreaterThan(5_000_000);

    const diff = diffDeliveries(side('a', left), side('b', right));
    expect(diff.json?.changes.map((change) => change.path)).toEqual(['/12345/application_user_id']);
    expect(diff.bodyPatch.status).toBe('changed');
    expect(diff.bodyPatch.hunks).toHaveLength(1);
  });
});

describe('diffHeaders', () => {
  it('compares names case-insensitively and repeats as lists', () => {
    const changes = diffHeaders(
      [['X-A', '1'], ['x-multi', 'a'], ['X-Multi', 'b'], ['X-Gone', 'z']],
      [['x-a', '1'], ['X-Multi', 'a'], ['X-New', 'n']],
    );
    expect(changes).toEqual([
      { name: 'x-multi', kind: 'changed', before: ['a', 'b'], after: ['a'] },
      { name: 'x-gone', kind: 'removed', before: ['z'] },
      { name: 'x-new', kind: 'added', after: ['n'] },
    ]);
  });
});
