import { useCallback, useEffect, useState } from 'react';
import type { AppStatus, HooktrayApi, ReverifyProgress } from '../../../electron/core/contract';

export interface LiveStatus {
  status: AppStatus | null;
  error: string | null;
  /** Latest re-verification progress; null when none ran since the page opened. */
  reverify: ReverifyProgress | null;
  /** Loads the status again, such as after the settings changed the delivery URL. */
  reload: () => void;
}

/** Loads the status bar's data: one `status.get`, then tunnel, delivery, pruning, re-verification and storage pushes. */
export function useStatus(api: HooktrayApi): LiveStatus {
  const [status, setStatus] = useState<AppStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reverify, setReverify] = useState<ReverifyProgress | null>(null);

  useEffect(() => {
    let cancelled = false;
    const offTunnel = api.subscribe('tunnel.status', (tunnel) => setStatus((previous) => (previous === null ? previous : { ...previous, tunnel })));
    // Until `status.get` resolves there is no count to add to, and its result includes those deliveries.
    const offAdded = api.subscribe('deliveries.added', (batch) => {
      setStatus((previous) => (previous === null ? previous : { ...previous, deliveryCount: previous.deliveryCount + batch.length }));
    });
    const offPruned = api.subscribe('deliveries.pruned', ({ deliveryCount }) => setStatus((previous) => (previous === null ? previous : { ...previous, deliveryCount })));
    const offReverify = api.subscribe('reverify.progress', setReverify);
    const offStorage = api.subscribe('storage.status', (storage) => setStatus((previous) => (previous === null ? previous : { ...previous, storage })));
    api.invoke('status.get', undefined).then(
      (value) => {
        if (cancelled) return;
        setStatus(value);
      },
      (reason: unknown) => {
        if (!cancelled) setError(`Loading the status failed: ${(reason as Error).message}`);
      },
    );
    return () => {
      cancelled = true;
      offTunnel();
      offAdded();
      offPruned();
      offReverify();
      offStorage();
    };
  }, [api]);

  const reload = useCallback(() => {
    api.invoke('status.get', undefined).then(setStatus, (reason: unknown) => setError(`Loading the status failed: ${(reason as Error).message}`));
  }, [api]);

  return { status, error, reverify, reload };
}
