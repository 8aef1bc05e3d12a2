import { describe, expect, it } from 'vitest';
import type { DeliverySummary } from '../../../electron/core/contract';
import { DeliveryGroups } from './delivery-groups';
import { anchoredScrollTop, rowsOnScreen } from './scroll-anchor';

const ROW = 48;
/** Height of the screen in px: a little over four rows. */
const SCREEN = 200;

function summary(id: string, retryOf: string | null = null): DeliverySummary {
  return {
    id,
    receivedAt: '2025-04-15T13:33:55.271Z',
    method: 'POST',
    path: `/hook/${id}`,
    size: 10,
    truncated: false,
    truncatedReason: null,
    verdict: { status: 'no-key', scheme: 'spike', profile: 'spike', reason: 'no key' },
    spike: null,
    retryOf,
    bodySha256: 'x',
  };
}

/** Returns groups of the deliveries `d<to>` down to `d<from>`, newest first as the store lists them. */
function groupsOf(from: number, to: number): DeliveryGroups {
  const groups = new DeliveryGroups();
  const items: DeliverySummary[] = [];
  for (let n = to; n >= from; n -= 1) items.push(summary(`d${n}`));
  groups.appendOlder(items);
  return groups;
}

describe('rowsOnScreen', () => {
  it('lists none at the top', () => {
    expect(rowsOnScreen(groupsOf(1, 50).groups, 0, SCREEN, ROW)).toEqual([]);
  });

  it('lists the rows on screen with their offsets', () => {
    const rows = rowsOnScreen(groupsOf(1, 50).groups, 2000, SCREEN, ROW);
    expect(rows.map((row) => row.index)).toEqual([41, 42, 43, 44, 45]);
    expect(rows[0]).toEqual({ key: 'd9', index: 41, offset: 2000 - 41 * ROW });
    expect(rows[1]?.offset).toBe(2000 - 42 * ROW);
  });

  it('lists the last loaded row for placeholders', () => {
    const rows = rowsOnScreen(groupsOf(1, 10).groups, 2000, SCREEN, ROW);
    expect(rows).toEqual([{ key: 'd1', index: 9, offset: 2000 - 9 * ROW }]);
  });
});

describe('anchoredScrollTop', () => {
  it('follows rows that moved down', () => {
    const groups = groupsOf(1, 100);
    const rows = rowsOnScreen(groups.groups, 2000, SCREEN, ROW);
    groups.prependNewer([101, 102, 103].map((n) => summary(`d${n}`)));
    expect(anchoredScrollTop(rows, groups.groups, ROW)).toBe(2000 + 3 * ROW);
  });

  it('keeps the position for rows added below', () => {
    const groups = groupsOf(51, 100);
    const rows = rowsOnScreen(groups.groups, 2000, SCREEN, ROW);
    groups.appendOlder([summary('d50'), summary('d49')]);
    expect(anchoredScrollTop(rows, groups.groups, ROW)).toBeNull();
  });

  it('passes over a row that a retry moved up', () => {
    const groups = groupsOf(1, 100);
    const rows = rowsOnScreen(groups.groups, 2000, SCREEN, ROW);
    const firstOnScreen = rows[0]?.key ?? '';
    groups.prependNewer([summary('d101', firstOnScreen)]);
    expect(groups.groups[0]?.key).toBe(firstOnScreen);
    // The rows below it kept their places, so the screen stays where it was.
    expect(anchoredScrollTop(rows, groups.groups, ROW)).toBe(2000);
  });

  it('follows rows that moved up when rows above left', () => {
    const before = groupsOf(1, 100);
    const rows = rowsOnScreen(before.groups, 2000, SCREEN, ROW);
    const after = new DeliveryGroups();
    after.appendOlder(before.groups.filter((group) => group.key !== 'd100' && group.key !== 'd99').flatMap((group) => group.attempts));
    expect(anchoredScrollTop(rows, after.groups, ROW)).toBe(2000 - 2 * ROW);
  });

  it('follows the next row when the first one left', () => {
    const before = groupsOf(1, 100);
    const rows = rowsOnScreen(before.groups, 2000, SCREEN, ROW);
    const firstOnScreen = rows[0]?.key;
    const after = new DeliveryGroups();
    after.appendOlder(before.groups.filter((group) => group.key !== firstOnScreen).flatMap((group) => group.attempts));
    expect(anchoredScrollTop(rows, after.groups, ROW)).toBe(2000 - ROW);
  });

  it('keeps the position when no row is listed', () => {
    const rows = rowsOnScreen(groupsOf(1, 100).groups, 2000, SCREEN, ROW);
    expect(anchoredScrollTop(rows, groupsOf(201, 300).groups, ROW)).toBeNull();
    expect(anchoredScrollTop([], groupsOf(1, 100).groups, ROW)).toBeNull();
  });
});
