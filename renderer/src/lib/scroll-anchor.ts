import type { DeliveryGroup } from './delivery-groups';

/** A loaded row on screen: its group key, its index, and how far the list is scrolled past its top, in px. */
export interface AnchorRow {
  key: string;
  index: number;
  /** Negative for the rows below the first one on screen. */
  offset: number;
}

/**
 * Lists the loaded rows on screen, top first, for `anchoredScrollTop` to keep in place after rows
 * are added or removed above them. At the very top it lists none, so that new rows show there.
 * A placeholder has no key, so the last loaded row is listed in place of the placeholders below it.
 */
export function rowsOnScreen(groups: readonly DeliveryGroup[], scrollTop: number, height: number, rowHeight: number): AnchorRow[] {
  if (scrollTop <= 0 || groups.length === 0) return [];
  const first = Math.min(Math.floor(scrollTop / rowHeight), groups.length - 1);
  const last = Math.min(Math.floor((scrollTop + height) / rowHeight), groups.length - 1);
  const rows: AnchorRow[] = [];
  for (let index = first; index <= last; index += 1) {
    const group = groups[index] as DeliveryGroup;
    rows.push({ key: group.key, index, offset: scrollTop - index * rowHeight });
  }
  return rows;
}

/**
 * Returns the scroll position that puts `rows` back where they were on screen after the list
 * changed, or null when they did not move or none of them is listed any more.
 *
 * It follows the first row that did not move up, because a retry moves its group to the top and
 * following that row would jump to the top. When every row moved up, as when rows above were
 * removed, it follows the first one still listed.
 */
export function anchoredScrollTop(rows: readonly AnchorRow[], groups: readonly DeliveryGroup[], rowHeight: number): number | null {
  const first = rows[0];
  if (first === undefined || groups[first.index]?.key === first.key) return null;

  const keys = new Set(rows.map((row) => row.key));
  const indexes = new Map<string, number>();
  for (let index = 0; index < groups.length && indexes.size < keys.size; index += 1) {
    const key = (groups[index] as DeliveryGroup).key;
    if (keys.has(key)) indexes.set(key, index);
  }

  const listed = rows.filter((row) => indexes.has(row.key));
  const anchor = listed.find((row) => (indexes.get(row.key) as number) >= row.index) ?? listed[0];
  if (anchor === undefined) return null;
  return (indexes.get(anchor.key) as number) * rowHeight + anchor.offset;
}
