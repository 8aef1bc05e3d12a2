import { useCallback, useEffect, useRef, useState } from 'react';
import type { DeliveryPage, DeliveryQuery, DeliverySummary, HooktrayApi, VerdictChange, VerdictStatus } from '../../../electron/core/contract';
import { MAX_QUERY_IDS } from '../../../electron/core/contract';
import { DeliveryGroups } from '../lib/delivery-groups';

export interface ListFilter {
  /** Text searched in path, headers and body by the store; empty for none. */
  text: string;
  verdict: VerdictStatus | 'all';
}

/** Rows fetched per `deliveries.list` call while scrolling (the store allows up to 1000). */
const PAGE_SIZE = 500;
/** The first page is smaller, so the first rows appear sooner. */
const FIRST_PAGE_SIZE = 100;
/** Rows left below the visible ones at which the next page is requested. */
const PREFETCH_ROWS = 100;

interface ListData {
  filter: ListFilter;
  groups: DeliveryGroups;
  cursor: string | null;
  hasMore: boolean;
  loading: boolean;
  /** Stored deliveries matching the filter, from the last page plus those pushed since. */
  total: number;
  /**
   * Ids of new deliveries pushed while a text filter is active, which only the store can match,
   * waiting for `matchPushed` to send them to the store.
   */
  unmatched: string[];
  /** Ids of new deliveries that the store matched with the filter, not listed until `reload`. */
  pending: Set<string>;
  error: string | null;
  /** Index of the last row on screen, as `ensureLoaded` last received it. */
  lastVisibleIndex: number;
  /** Pushes received while `refresh` loads this list again, to apply to the new copy; null when no refresh runs. */
  refreshLog: ListPush[] | null;
}

type ListPush = { channel: 'deliveries.added'; payload: DeliverySummary[] } | { channel: 'verdicts.changed'; payload: VerdictChange[] };

export interface DeliveryList {
  groups: DeliveryGroups;
  version: number;
  total: number;
  hasMore: boolean;
  loading: boolean;
  /** New deliveries that match a text filter, which `reload` lists. */
  pendingNew: number;
  error: string | null;
  /** Loads pages until the row at `index` is loaded or no rows are left. */
  ensureLoaded: (index: number) => void;
  reload: () => void;
}

function emptyList(filter: ListFilter): ListData {
  return { filter, groups: new DeliveryGroups(), cursor: null, hasMore: true, loading: false, total: 0, unmatched: [], pending: new Set(), error: null, lastVisibleIndex: 0, refreshLog: null };
}

function toQuery(filter: ListFilter, cursor: string | null): DeliveryQuery {
  const query: DeliveryQuery = { limit: cursor === null ? FIRST_PAGE_SIZE : PAGE_SIZE };
  if (cursor !== null) query.before = cursor;
  if (filter.text.trim() !== '') query.text = filter.text.trim();
  if (filter.verdict !== 'all') query.verdicts = [filter.verdict];
  return query;
}

/**
 * Appends a page from the store. Only the first page sets the total: deliveries stored after it
 * arrive as pushes, which count themselves, so a later page's total would count them twice.
 */
function addPage(data: ListData, page: DeliveryPage): void {
  if (data.cursor === null) data.total = page.total;
  data.groups.appendOlder(page.items);
  data.cursor = page.nextBefore;
  data.hasMore = page.nextBefore !== null;
  data.error = null;
}

/** Adds pushed new deliveries to the list, or queues them for `matchPushed` when only the store can match them. */
function addPushed(data: ListData, batch: readonly DeliverySummary[]): void {
  if (data.filter.text.trim() !== '') {
    for (const item of batch) if (!data.groups.has(item.id)) data.unmatched.push(item.id);
    return;
  }
  const expectedVerdict = data.filter.verdict;
  const accepted = batch.filter((item) => (expectedVerdict === 'all' || item.verdict.status === expectedVerdict) && !data.groups.has(item.id));
  data.groups.prependNewer(accepted);
  data.total += accepted.length;
}

/**
 * Applies changed verdicts to the deliveries held. Returns true when a change may move a delivery
 * into or out of a verdict-filtered list, so the list must load again from the store. That is a
 * held delivery that stops matching, or one not held that may start or stop matching.
 */
function applyVerdicts(data: ListData, changes: readonly VerdictChange[]): boolean {
  data.groups.applyVerdicts(changes);
  const expected = data.filter.verdict;
  if (expected === 'all') return false;

  let reload = false;
  for (const change of changes) {
    const matches = change.verdict.status === expected;
    if (data.pending.has(change.id)) {
      if (!matches) data.pending.delete(change.id);
    } else if (data.groups.has(change.id)) {
      reload ||= !matches;
    } else {
      // With every page loaded, a delivery not held did not match before.
      reload ||= matches || data.hasMore;
    }
  }
  return reload;
}

/** Applies a push to the list; returns true when the list must be loaded again. */
function applyPush(data: ListData, push: ListPush): boolean {
  if (push.channel === 'verdicts.changed') return applyVerdicts(data, push.payload);
  addPushed(data, push.payload);
  return false;
}

/**
 * Loads the deliveries list: pages from the store (`deliveries.list`) as the user scrolls,
 * and live additions and verdict changes from pushes. It never polls.
 */
export function useDeliveryList(api: HooktrayApi, filter: ListFilter): DeliveryList {
  const list = useRef<ListData>(emptyList(filter));
  const [version, setVersion] = useState(0);
  const rerender = useCallback(() => setVersion((value) => value + 1), []);

  const loadPage = useCallback(async () => {
    const current = list.current;
    if (current.loading || !current.hasMore) return;
    current.loading = true;
    try {
      const page = await api.invoke('deliveries.list', toQuery(current.filter, current.cursor));
      if (list.current !== current) return;
      addPage(current, page);
    } catch (error) {
      if (list.current !== current) return;
      current.hasMore = false;
      current.error = `Loading deliveries failed: ${(error as Error).message}`;
    } finally {
      current.loading = false;
      if (list.current === current) rerender();
    }
  }, [api, rerender]);

  /**
   * Sends the pushed deliveries queued by `addPushed` to the store, which matches them with the
   * text and verdict filters, and counts the matches as pending.
   */
  const matchPushed = useCallback(
    async (data: ListData) => {
      const ids = data.unmatched.splice(0);
      try {
        for (let start = 0; start < ids.length; start += MAX_QUERY_IDS) {
          const chunk = ids.slice(start, start + MAX_QUERY_IDS);
          const page = await api.invoke('deliveries.list', { ...toQuery(data.filter, null), ids: chunk, limit: chunk.length });
          if (list.current !== data) return;
          for (const item of page.items) if (!data.groups.has(item.id)) data.pending.add(item.id);
        }
      } catch (error) {
        if (list.current !== data) return;
        data.error = `Matching ${ids.length} new ${ids.length === 1 ? 'delivery' : 'deliveries'} with the filter failed: ${(error as Error).message}. Clear the filter or reload the page to list them.`;
      }
      rerender();
    },
    [api, rerender],
  );

  /**
   * Loads the list again in the background, as far down as the user scrolled, and swaps the new
   * copy in at once, so the rows on screen never go blank. Pushes that arrive meanwhile apply to
   * both copies, and one that needs a refresh of its own starts it again after the swap.
   */
  const refresh = useCallback(async () => {
    const current = list.current;
    if (current.refreshLog !== null) return;
    current.refreshLog = [];
    rerender();

    const next = emptyList(current.filter);
    const rowsToLoad = Math.max(FIRST_PAGE_SIZE, current.lastVisibleIndex + PREFETCH_ROWS);
    try {
      while (next.hasMore && next.groups.groups.length < rowsToLoad) {
        const page = await api.invoke('deliveries.list', toQuery(next.filter, next.cursor));
        if (list.current !== current) return;
        addPage(next, page);
      }
    } catch (error) {
      if (list.current !== current) return;
      current.refreshLog = null;
      current.error = `Loading deliveries again after their verdicts changed failed: ${(error as Error).message}. Reload the page to see the current list.`;
      rerender();
      return;
    }

    const pushes = current.refreshLog;
    next.lastVisibleIndex = current.lastVisibleIndex;
    list.current = next;
    let again = false;
    for (const push of pushes) again = applyPush(next, push) || again;
    if (next.unmatched.length > 0) void matchPushed(next);
    rerender();
    if (again) void refresh();
  }, [api, rerender, matchPushed]);

  useEffect(() => {
    const onPush = (push: ListPush): void => {
      const current = list.current;
      current.refreshLog?.push(push);
      if (applyPush(current, push)) void refresh();
      if (current.unmatched.length > 0) void matchPushed(current);
      rerender();
    };
    const offAdded = api.subscribe('deliveries.added', (payload) => onPush({ channel: 'deliveries.added', payload }));
    const offVerdicts = api.subscribe('verdicts.changed', (payload) => onPush({ channel: 'verdicts.changed', payload }));
    // Pruning names no ids, so the list loads again from the store with the same filter.
    const offPruned = api.subscribe('deliveries.pruned', () => {
      list.current = emptyList(list.current.filter);
      rerender();
      void loadPage();
    });
    return () => {
      offAdded();
      offVerdicts();
      offPruned();
    };
  }, [api, rerender, loadPage, refresh, matchPushed]);

  useEffect(() => {
    list.current = emptyList(filter);
    rerender();
    void loadPage();
  }, [filter, loadPage, rerender]);

  const ensureLoaded = useCallback(
    (index: number) => {
      const current = list.current;
      current.lastVisibleIndex = index;
      if (current.hasMore && !current.loading && index >= current.groups.groups.length - PREFETCH_ROWS) void loadPage();
    },
    [loadPage],
  );

  const reload = useCallback(() => {
    list.current = emptyList(list.current.filter);
    rerender();
    void loadPage();
  }, [loadPage, rerender]);

  const current = list.current;
  return {
    groups: current.groups,
    version,
    total: current.total,
    hasMore: current.hasMore,
    loading: current.loading || current.refreshLog !== null,
    pendingNew: current.pending.size,
    error: current.error,
    ensureLoaded,
    reload,
  };
}
