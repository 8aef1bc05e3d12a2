import { describe, expect, it } from 'vitest';
import type { TestFields } from './send-checks';
import { lineRange, parseHeaderLines, testFieldProblem } from './send-checks';

describe('parseHeaderLines', () => {
  it('parses lines and skips blank ones', () => {
    expect(parseHeaderLines('A: 1\n\n  B :  two words \n')).toEqual({ ok: true, headers: [['A', '1'], ['B', 'two words']] });
  });

  it('names a line without a colon', () => {
    expect(parseHeaderLines('A: 1\nnot a header')).toEqual({ ok: false, line: 2, message: 'Header line 2 has no "Name: value" form; fix it or restore the received headers.' });
  });

  it('names a value beyond Latin-1', () => {
    const result = parseHeaderLines('A: 1\nX-Uni: café ✓');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.line).toBe(2);
    expect(result.message).toContain('Header line 2 (X-Uni) has "✓" (U+2713) in its value');
  });

  it('escapes a control character it names', () => {
    const result = parseHeaderLines('X-Bell: a\u0007b');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('has "\\x07" in its value');
  });

  it('names a name with a space', () => {
    const result = parseHeaderLines('Bad Name: x');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('Header line 1 has the name "Bad Name" with a space in it');
  });

  it('names a value over the length limit', () => {
    const result = parseHeaderLines(`X-Big: ${'a'.repeat(8193)}`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('has a value of 8,193 characters, but a header value may have at most 8,192');
  });

  it('names the first header over the count limit', () => {
    const result = parseHeaderLines(Array.from({ length: 1001 }, (_, index) => `X-${index}: ${index}`).join('\n'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.line).toBe(1001);
    expect(result.message).toBe('The headers have 1,001 lines, but a re-send may have at most 1,000 headers. Remove some or restore the received headers.');
  });
});

describe('lineRange', () => {
  it('finds a middle line and the last line', () => {
    expect(lineRange('ab\ncd\nef', 2)).toEqual({ start: 3, end: 5 });
    expect(lineRange('ab\ncd\nef', 3)).toEqual({ start: 6, end: 8 });
  });
});

describe('testFieldProblem', () => {
  const spike = { users: ['u1'], metrics: ['steps'], activityTypes: ['walking'], provider: 'garmin', windowStart: '', windowEnd: '' };
  const fields = (overrides: Partial<NonNullable<TestFields['spike']>>): TestFields => ({ profile: '', spike: { ...spike, ...overrides } });

  it('accepts the defaults', () => {
    expect(testFieldProblem(fields({}))).toBeNull();
  });

  it('names empty users', () => {
    expect(testFieldProblem(fields({ users: [] }))).toEqual({ field: 'users', message: 'Users is empty. Enter at least one application user id, and separate several with commas.' });
  });

  it('names a long metric', () => {
    const problem = testFieldProblem(fields({ metrics: ['steps', 'm'.repeat(257)] }));
    expect(problem?.field).toBe('metrics');
    expect(problem?.message).toBe('Entry 2 of Metrics has 257 characters, but an entry may have at most 256. Shorten it.');
  });

  it('names an empty provider', () => {
    expect(testFieldProblem(fields({ provider: '' }))?.field).toBe('provider');
  });

  it('names a long window end', () => {
    expect(testFieldProblem(fields({ windowEnd: '2'.repeat(65) }))?.field).toBe('windowEnd');
  });

  it('skips the template of other kinds', () => {
    expect(testFieldProblem({ profile: '', spike: null })).toBeNull();
  });
});
