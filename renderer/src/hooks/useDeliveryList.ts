import { useCallback, useEffect, useRef, useState } from 'react';
import type { DeliveryQuery, HooktrayApi, VerdictStatus } from '../../../electron/core/contract';
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
  /** New deliveries pushed while a text filter is active, which only the store can match. */
  pendingNew: number;
  error: string | null;
}

export interface DeliveryList {
  groups: DeliveryGroups;
  version: number;
  total: number;
  hasMore: boolean;
  loading: boolean;
  pendingNew: number;
  error: string | null;
  /** Loads pages until the row at `index` is loaded or no rows are left. */
  ensureLoaded: (index: number) => void;
  reload: () => void;
}

function emptyList(filter: ListFilter): ListData {
  return { filter, groups: new DeliveryGroups(), cursor: null, hasMore: true, loading: false, total: 0, pendingNew: 0, error: null };
}

function toQuery(filter: ListFilter, cursor: string | null): DeliveryQuery {
  const query: DeliveryQuery = { limit: cursor === null ? FIRST_PAGE_SIZE : PAGE_SIZE };
  if (cursor !== null) query.before = cursor;
  if (filter.text.trim() !== '') query.text = filter.text.trim();
  if (filter.verdict !== 'all') query.verdicts = [filter.verdict];
  return query;
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
      current.groups.appendOlder(page.items);
      current.cursor = page.nextBefore;
      current.hasMore = page.nextBefore !== null;
      current.total = page.total;
      current.error = null;
    } catch (error) {
      if (list.current !== current) return;
      current.hasMore = false;
      current.error = `Loading deliveries failed: ${(error as Error).message}`;
    } finally {
      current.loading = false;
      if (list.current === current) rerender();
    }
  }, [api, rerender]);

  useEffect(() => {
    const offAdded = api.subscribe('deliveries.added', (batch) => {
      const current = list.current;
      if (current.filter.text.trim() !== '') {
        current.pendingNew += batch.length;
      } else {
        const expectedVerdict = current.filter.verdict;
        const accepted = batch.filter((item) => (expectedVerdict === 'all' || item.verdict.status === expectedVerdict) && !current.groups.has(item.id));
        current.groups.prependNewer(accepted);
        current.total += accepted.length;
      }
      rerender();
    });
    const offVerdicts = api.subscribe('verdicts.changed', (changes) => {
      if (list.current.groups.applyVerdicts(changes) > 0) rerender();
    });
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
  }, [api, rerender, loadPage]);

  useEffect(() => {
    list.current = emptyList(filter);
    rerender();
    void loadPage();
  }, [filter, loadPage, rerender]);

  const ensureLoaded = useCallback(
    (index: number) => {
      const current = list.current;
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
    loading: current.loading,
    pendingNew: current.pendingNew,
    error: current.error,
    ensureLoaded,
    reload,
  };
}
