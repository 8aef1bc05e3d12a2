import { describe, expect, it } from 'vitest';
import type { DeliverySummary } from '../../../electron/core/contract';
import { DeliveryGroups } from './delivery-groups';

function summary(id: string, retryOf: string | null = null): DeliverySummary {
  return {
    id,
    receivedAt: '2025-04-15T13:33:55.271Z',
    method: 'POST',
    path: '/spike',
    size: 10,
    truncated: false,
    truncatedReason: null,
    verdict: { status: 'no-key', scheme: 'spike', profile: 'spike', reason: 'no key' },
    spike: null,
    retryOf,
    bodySha256: 'x',
  };
}

describe('DeliveryGroups', () => {
  it('folds older retries into the group of their newest attempt', () => {
    const groups = new DeliveryGroups();
    groups.appendOlder([summary('d', 'a'), summary('c'), summary('b', 'a'), summary('a')]);
    expect(groups.groups.map((group) => group.key)).toEqual(['a', 'c']);
    expect(groups.groupOf('a')?.attempts.map((item) => item.id)).toEqual(['d', 'b', 'a']);
    expect(groups.deliveryCount).toBe(4);
  });

  it('moves a group to the top when a retry arrives', () => {
    const groups = new DeliveryGroups();
    groups.appendOlder([summary('c'), summary('b'), summary('a')]);
    groups.prependNewer([summary('d'), summary('e', 'b')]);
    expect(groups.groups.map((group) => group.key)).toEqual(['b', 'd', 'c', 'a']);
    expect(groups.groupOf('b')?.attempts.map((item) => item.id)).toEqual(['e', 'b']);
  });

  it('ignores deliveries it already holds', () => {
    const groups = new DeliveryGroups();
    groups.prependNewer([summary('a')]);
    groups.appendOlder([summary('a')]);
    expect(groups.groups).toHaveLength(1);
    expect(groups.deliveryCount).toBe(1);
  });

  it('applies verdict changes to held deliveries only', () => {
    const groups = new DeliveryGroups();
    groups.appendOlder([summary('a')]);
    const before = groups.version;
    const applied = groups.applyVerdicts([
      { id: 'a', verdict: { status: 'valid', scheme: 'spike', profile: 'spike', reason: 'ok' } },
      { id: 'zzz', verdict: { status: 'valid', scheme: 'spike', profile: 'spike', reason: 'ok' } },
    ]);
    expect(applied).toBe(1);
    expect(groups.get('a')?.verdict.status).toBe('valid');
    expect(groups.version).toBeGreaterThan(before);
  });
});
