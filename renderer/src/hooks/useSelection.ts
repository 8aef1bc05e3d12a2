import { useCallback, useEffect, useRef, useState } from 'react';
import type { HooktrayApi } from '../../../electron/core/contract';
import type { DeliveryGroup, DeliveryGroups } from '../lib/delivery-groups';
import { revealInvisible } from '../lib/format';
import type { DeliveryList, ListFilter } from './useDeliveryList';

/** The selected row: its group and the attempt shown in the detail pane. */
export interface Selection {
  key: string;
  id: string;
}

export interface SelectionState {
  /** The selection while its row is loaded in the list, so the actions act only on a delivery the user can see. It is null otherwise. */
  selection: Selection | null;
  /** Message about a selection that ended without the user, such as when retention deleted the delivery, or null for none. */
  notice: string | null;
  /** Selects a group and shows its newest attempt. */
  select: (group: DeliveryGroup) => void;
  /** Shows another attempt of the selected group. */
  selectAttempt: (id: string) => void;
  clear: () => void;
}

/** The selection with the request line of its group, which all attempts share, for the notice when it is deleted. */
interface SelectedDelivery extends Selection {
  request: string;
}

/**
 * Holds the selected delivery of the list. A filter that hides the selected row clears the
 * selection once the list for the new filter has loaded, so it does not come back unseen when
 * the filter changes again. When retention deletes the selected delivery, the selection ends
 * and a notice names the deleted delivery.
 */
export function useSelection(api: HooktrayApi, list: DeliveryList, filter: ListFilter): SelectionState {
  const [selected, setSelected] = useState<SelectedDelivery | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  /** The selection for the push listener, which is registered once. */
  const selectedRef = useRef<SelectedDelivery | null>(null);
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

  useEffect(() => {
    selectedRef.current = selected;
  }, [selected]);

  // A pruning push names no ids, so the store is asked whether the selected delivery is still stored.
  useEffect(
    () =>
      api.subscribe('deliveries.pruned', () => {
        const pruned = selectedRef.current;
        if (pruned === null) return;
        api.invoke('deliveries.get', { id: pruned.id }).then(
          (detail) => {
            if (detail !== null || selectedRef.current?.id !== pruned.id) return;
            setSelected(null);
            setNotice(`Retention deleted the selected delivery, ${pruned.request} (id ${pruned.id}). To keep more deliveries, raise Maximum deliveries or Maximum age (days) in Settings.`);
          },
          // The selection stays, and the list shows it again if the delivery is still stored.
          (error: unknown) => api.log?.('warn', `renderer: checking whether retention deleted delivery ${pruned.id} failed: ${(error as Error).message}`),
        );
      }),
    [api],
  );

  const select = useCallback((group: DeliveryGroup) => {
    const latest = group.attempts[0];
    if (latest === undefined) return;
    setSelected({ key: group.key, id: latest.id, request: `${latest.method} ${revealInvisible(latest.path)}` });
    setNotice(null);
  }, []);

  const selectAttempt = useCallback((id: string) => {
    setSelected((previous) => (previous === null ? previous : { ...previous, id }));
  }, []);

  const clear = useCallback(() => {
    setSelected(null);
    setNotice(null);
  }, []);

  const loadedSelection = selected !== null && groups.groupOf(selected.key) !== undefined ? selected : null;
  return { selection: loadedSelection, notice, select, selectAttempt, clear };
}
