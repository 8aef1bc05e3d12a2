import { describe, expect, it } from 'vitest';
import type { ExportSkip } from '../contract';
import { describeSkipReasons, describeSkips, skipAdvice } from './skip-summary';

const binary = (id: string): ExportSkip => ({ id, code: 'binary-body', reason: 'with a body that is not valid UTF-8', message: `Delivery ${id} is binary.` });
const gzip = (id: string): ExportSkip => ({ id, code: 'binary-body', reason: 'gzip-encoded', message: `Delivery ${id} is gzip-encoded.` });
const keyed = (id: string): ExportSkip => ({ id, code: 'body-contains-key', reason: 'whose body contains a configured key', message: `Delivery ${id} contains a key.` });

describe('describeSkipReasons', () => {
  it('groups ids by reason in first-seen order', () => {
    expect(describeSkipReasons([gzip('B'), binary('A'), gzip('C')])).toBe('2 gzip-encoded (B, C), 1 with a body that is not valid UTF-8 (A)');
  });

  it('counts the ids beyond five', () => {
    const ids = ['A', 'B', 'C', 'D', 'E', 'F', 'G'];
    expect(describeSkipReasons(ids.map(gzip))).toBe('7 gzip-encoded (A, B, C, D, E and 2 more)');
  });
});

describe('skipAdvice', () => {
  it('gives each sentence once', () => {
    const advice = { 'binary-body': 'Use curl.' };
    expect(skipAdvice([binary('A'), gzip('B'), keyed('C')], advice)).toBe('Use curl. Remove the key from those deliveries, or export others.');
  });

  it('leaves out codes without advice', () => {
    expect(skipAdvice([binary('A')], {})).toBe('');
  });
});

describe('describeSkips', () => {
  it('names every reason and the advice', () => {
    expect(describeSkips([binary('A'), gzip('B'), gzip('C')], { 'binary-body': 'Use curl.' })).toBe(
      'Skipped 3: 1 with a body that is not valid UTF-8 (A), 2 gzip-encoded (B, C). Use curl.',
    );
  });

  it('is empty without skips', () => {
    expect(describeSkips([], {})).toBe('');
  });
});
