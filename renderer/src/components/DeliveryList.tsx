import { useVirtualizer } from '@tanstack/react-virtual';
import type { RefObject } from 'react';
import { useCallback, useEffect, useImperativeHandle, useLayoutEffect, useRef } from 'react';
import type { DeliveryGroup } from '../lib/delivery-groups';
import { formatSize, formatTime, revealInvisible } from '../lib/format';
import type { AnchorRow } from '../lib/scroll-anchor';
import { anchoredScrollTop, rowsOnScreen } from '../lib/scroll-anchor';
import type { DeliveryList as DeliveryListData } from '../hooks/useDeliveryList';
import { VerdictBadge } from './VerdictBadge';

/** Height of a row in px: two lines, the request on the first and verdict, attempts and Spike summary on the second. */
export const ROW_HEIGHT = 48;
/** Minimum length, in characters, of the end of a path that a narrow row keeps whole. */
const PATH_TAIL_MIN = 16;

export interface DeliveryListHandle {
  scrollToIndex: (index: number) => void;
  focus: () => void;
}

interface DeliveryListProps {
  list: DeliveryListData;
  selectedKey: string | null;
  /** Id of the delivery picked with Compare…, whose row is marked until the comparison starts. */
  pickedId?: string | null;
  onSelect: (group: DeliveryGroup) => void;
  handle: RefObject<DeliveryListHandle | null>;
}

/**
 * Number of rows to give the virtualizer. While older pages remain, the rows not loaded yet
 * count as placeholders; retries among them fold into groups later, so this is an upper bound.
 */
function rowCount(list: DeliveryListData): number {
  const loaded = list.groups.groups.length;
  if (!list.hasMore) return loaded;
  return Math.max(loaded + 1, loaded + list.total - list.groups.deliveryCount);
}

const estimateRowSize = (): number => ROW_HEIGHT;

export function rowId(key: string): string {
  return `delivery-${key}`;
}

/**
 * Splits a path where a narrow cell may shorten it: the tail is whole segments, at least
 * PATH_TAIL_MIN characters when the path has that many, because deliveries to one receiver often
 * differ only there. The head is empty for a short path.
 */
function splitPath(path: string): { head: string; tail: string } {
  const cut = path.length <= PATH_TAIL_MIN ? -1 : path.lastIndexOf('/', path.length - PATH_TAIL_MIN);
  if (cut <= 0) return { head: '', tail: path };
  return { head: path.slice(0, cut), tail: path.slice(cut) };
}

/** Renders the virtualized list of delivery groups, newest activity first. Only visible rows exist in the DOM. */
export function DeliveryList({ list, selectedKey, onSelect, handle, pickedId = null }: DeliveryListProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const count = rowCount(list);
  // Rows are keyed by index (the default): a key function that changes as pages load would make
  // the virtualizer recompute all 100,000 row positions, tens of milliseconds each time.
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: estimateRowSize,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  const { ensureLoaded, version, groups } = list;

  useEffect(() => {
    ensureLoaded(lastIndex);
  }, [ensureLoaded, lastIndex, version]);

  // Rows added or removed above the screen would shift the rows on it. So the rows on screen are
  // recorded after each scroll and each change, and the scroll position follows them before the
  // browser paints. At the top of the list none are recorded, so that new deliveries show there.
  const anchorRows = useRef<AnchorRow[]>([]);
  const recordAnchorRows = useCallback(() => {
    const element = scrollRef.current;
    if (element !== null) anchorRows.current = rowsOnScreen(groups.groups, element.scrollTop, element.clientHeight, ROW_HEIGHT);
  }, [groups]);

  useEffect(() => {
    const element = scrollRef.current;
    element?.addEventListener('scroll', recordAnchorRows, { passive: true });
    return () => element?.removeEventListener('scroll', recordAnchorRows);
  }, [recordAnchorRows]);

  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (element === null) return;
    const scrollTop = anchoredScrollTop(anchorRows.current, groups.groups, ROW_HEIGHT);
    if (scrollTop !== null) element.scrollTop = scrollTop;
    recordAnchorRows();
  }, [groups, version, recordAnchorRows]);

  useImperativeHandle(handle, () => ({
    scrollToIndex: (index) => virtualizer.scrollToIndex(index, { align: 'auto' }),
    focus: () => scrollRef.current?.focus(),
  }));

  const selectedLoaded = selectedKey !== null && list.groups.groupOf(selectedKey) !== undefined;
  return (
    <div
      ref={scrollRef}
      className="list-scroll"
      role="listbox"
      aria-label="Deliveries"
      aria-busy={list.loading}
      aria-activedescendant={selectedLoaded ? rowId(selectedKey) : undefined}
      tabIndex={0}
    >
      <div className="list-spacer" style={{ height: virtualizer.getTotalSize() }}>
        {items.map((item) => {
          const group = list.groups.groups[item.index];
          const style = { transform: `translateY(${item.start}px)`, height: ROW_HEIGHT };
          if (group === undefined) {
            return (
              <div key={item.key} className="row placeholder" style={style} aria-hidden="true">
                Loading…
              </div>
            );
          }
          return (
            <DeliveryRow
              key={item.key}
              group={group}
              selected={group.key === selectedKey}
              picked={pickedId !== null && group.attempts.some((attempt) => attempt.id === pickedId)}
              position={item.index + 1}
              setSize={count}
              style={style}
              onSelect={onSelect}
            />
          );
        })}
      </div>
    </div>
  );
}

interface DeliveryRowProps {
  group: DeliveryGroup;
  selected: boolean;
  picked: boolean;
  position: number;
  setSize: number;
  style: { transform: string; height: number };
  onSelect: (group: DeliveryGroup) => void;
}

function DeliveryRow({ group, selected, picked, position, setSize, style, onSelect }: DeliveryRowProps) {
  const latest = group.attempts[0];
  if (latest === undefined) return null;
  const spike = latest.spike;
  const path = splitPath(latest.path);
  const spikeParts = spike === null ? [] : [spike.users.join(', '), spike.metrics.join(', '), spike.providers.join(', ')];
  const spikeSummary = revealInvisible(spikeParts.filter((part) => part !== '').join(' · '));
  return (
    <div
      id={rowId(group.key)}
      role="option"
      aria-selected={selected}
      aria-posinset={position}
      aria-setsize={setSize}
      className={['row', selected ? 'selected' : '', picked ? 'picked' : ''].filter((name) => name !== '').join(' ')}
      style={style}
      onClick={() => onSelect(group)}
    >
      <span className="row-line">
        <span className="cell time">{formatTime(latest.receivedAt)}</span>
        <span className="cell method">{latest.method}</span>
        <span className="cell path" title={latest.path}>
          {path.head !== '' && <span className="path-head">{path.head}</span>}
          <span className="path-tail">
            <span dir="ltr">{path.tail}</span>
          </span>
        </span>
        <span className="cell size">{formatSize(latest.size)}</span>
      </span>
      <span className="row-line">
        <span className="cell verdict">
          <VerdictBadge verdict={latest.verdict} />
        </span>
        {picked && <span className="cell picked-mark">picked to compare</span>}
        {group.attempts.length > 1 && <span className="cell retries">{group.attempts.length} attempts</span>}
        <span className="cell spike" title={spike === null ? undefined : spikeTitle(spike.eventCount, spikeSummary)}>
          {spikeSummary}
        </span>
      </span>
    </div>
  );
}

/** Returns the tooltip of a row's Spike cell, which also names the row for screen readers when the cell has no text. */
function spikeTitle(eventCount: number, summary: string): string {
  const events = `Spike: ${eventCount} event${eventCount === 1 ? '' : 's'}`;
  return summary === '' ? events : `${events}: ${summary}`;
}
