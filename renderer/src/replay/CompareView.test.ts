import { describe, expect, it } from 'vitest';
import type { DiffSideSummary } from '../../../electron/core/contract';
import { jsonProblems } from './CompareView';

const side = (label: string, jsonError: string | null): DiffSideSummary => ({ label, size: 1, kind: jsonError === null ? 'json' : 'text', jsonError });

describe('jsonProblems', () => {
  it('names the side that is not JSON', () => {
    expect(jsonProblems({ left: side('01JLEFT', null), right: side('01JRIGHT', 'The body is empty.') })).toBe('Right (01JRIGHT): The body is empty.');
  });

  it('names both sides when neither is JSON', () => {
    expect(jsonProblems({ left: side('a.json', 'Unexpected token.'), right: side('b.json', 'The body is empty.') })).toBe(
      'Left (a.json): Unexpected token. Right (b.json): The body is empty.',
    );
  });
});
