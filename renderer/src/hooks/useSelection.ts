import { useCallback, useEffect, useRef, useState } from 'react';
import type { DeliveryGroup, DeliveryGroups } from '../lib/delivery-groups';
import type { DeliveryList, ListFilter } from './useDeliveryList';

/** The selected row: its group and the attempt shown in the detail pane. */
export interface Selection {
  key: string;
  id: string;
}

export interface SelectionState {
  /** The selection while its row is loaded in the list, so the actions act only on a delivery the user can see. It is null otherwise. */
  selection: Selection | null;
  /** Selects a group and shows its newest attempt. */
  select: (group: DeliveryGroup) => void;
  /** Shows another attempt of the selected group. */
  selectAttempt: (id: string) => void;
  clear: () => void;
}

/**
 * Holds the selected delivery of the list. A filter that hides the selected row clears the
 * selection once the list for the new filter has loaded, so it does not come back unseen when
 * the filter changes again.
 */
export function useSelection(list: DeliveryList, filter: ListFilter): SelectionState {
  const [selected, setSelected] = useState<Selection | null>(null);
  const { groups, loading, hasMore, error } = list;
  const filterSeen = useRef(filter);
  /** The list's groups before the filter changed, kept until the list for the new filter has loaded. */
  const groupsBeforeFilter = useRef<DeliveryGroups | null>(null);

  // useDeliveryList starts the new filter's list in an effect, so the render with the new filter
  // still returned the old list's groups.
  useEffect(() => {
    if (filterSeen.current === filter) return;
    filterSeen.current = filter;
    groupsBeforeFilter.current = groups;
  }, [filter, groups]);

  useEffect(() => {
    const before = groupsBeforeFilter.current;
    if (before === null || groups === before || loading) return;
    // A list that is still waiting for its first page is not loaded yet.
    if (groups.groups.length === 0 && hasMore && error === null) return;

    groupsBeforeFilter.current = null;
    setSelected((previous) => (previous !== null && groups.groupOf(previous.key) === undefined ? null : previous));
  }, [groups, loading, hasMore, error]);

  const select = useCallback((group: DeliveryGroup) => {
    const latest = group.attempts[0];
    if (latest !== undefined) setSelected({ key: group.key, id: latest.id });
  }, []);

  const selectAttempt = useCallback((id: string) => {
    setSelected((previous) => (previous === null ? previous : { ...previous, id }));
  }, []);

  const clear = useCallback(() => setSelected(null), []);

  const loadedSelection = selected !== null && groups.groupOf(selected.key) !== undefined ? selected : null;
  return { selection: loadedSelection, select, selectAttempt, clear };
}
