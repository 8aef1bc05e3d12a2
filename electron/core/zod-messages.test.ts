import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { plainIssueMessage } from './zod-messages';

/** Parses `input` and returns the first issue's message. */
function messageFor(schema: z.ZodType, input: unknown): string | undefined {
  return schema.safeParse(input, { error: plainIssueMessage }).error?.issues[0]?.message;
}

describe('plainIssueMessage', () => {
  it('lists the allowed values', () => {
    expect(messageFor(z.enum(['hex', 'base64', 'utf8']), 'b64')).toBe('must be one of "hex", "base64" or "utf8"');
    expect(messageFor(z.literal('spike'), 'github')).toBe('must be "spike"');
  });

  it('words number ranges', () => {
    expect(messageFor(z.number().positive(), 0)).toBe('must be a number greater than 0 (got 0)');
    expect(messageFor(z.number().min(0.5).max(2), 3)).toBe('must be a number at least 0.5 and at most 2 (got 3)');
    expect(messageFor(z.number().int().positive().lt(10), 10)).toBe('must be a whole number from 1 to 9 (got 10)');
    expect(messageFor(z.number().int(), 0.5)).toBe('must be a whole number (got 0.5)');
  });

  it('words types and missing fields', () => {
    expect(messageFor(z.object({ name: z.string() }), {})).toBe('is missing: add it as a string');
    expect(messageFor(z.boolean(), 'true')).toBe('must be true or false (got a string; write it without quotes)');
    expect(messageFor(z.array(z.string()), null)).toBe('must be an array [ … ] (got null)');
  });

  it('words string and array sizes', () => {
    expect(messageFor(z.string().min(3), 'ab')).toBe('must have at least 3 characters');
    expect(messageFor(z.array(z.number()).max(1), [1, 2])).toBe('must have at most 1 entry');
  });

  it('suggests a close field', () => {
    const schema = z.strictObject({ maxCount: z.number().optional(), maxAgeDays: z.number().optional() });
    expect(messageFor(schema, { maxcount: 1 })).toBe('did you mean "maxCount"? The fields allowed there are maxCount and maxAgeDays');
  });

  it('names the limit of a number beyond 2^53', () => {
    const result = z.object({ maxCount: z.number().int().min(0) }).safeParse({ maxCount: 1e20 }, { error: plainIssueMessage });
    expect(result.error?.issues[0]?.message).toBe('must be a whole number, 0 or more, up to 9007199254740991 (got a number beyond 2^53, which JSON readers round)');
    const limited = z.object({ bodyLimit: z.number().int().min(1).max(267386880) }).safeParse({ bodyLimit: 1e300 }, { error: plainIssueMessage });
    expect(limited.error?.issues[0]?.message).toBe('must be a whole number from 1 to 267386880 (got a number beyond 2^53, which JSON readers round)');
  });
});
