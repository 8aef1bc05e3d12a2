import { useEffect, useState } from 'react';
import type { DeliveryDetail, HooktrayApi } from '../../../electron/core/contract';
import { ModalDialog } from '../components/ModalDialog';
import { ResendDialog } from './ResendDialog';

interface ResendLauncherProps {
  api: HooktrayApi;
  id: string;
  /** Base URL the target field starts with; the delivery's path is appended. */
  targetBase: string;
  onClose: () => void;
}

/** Loads a delivery with its body, then opens the re-send dialog for it. */
export function ResendLauncher({ api, id, targetBase, onClose }: ResendLauncherProps) {
  const [delivery, setDelivery] = useState<DeliveryDetail | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let active = true;
    api.invoke('deliveries.get', { id }).then(
      (found) => {
        if (!active) return;
        if (found === null) setError(`Delivery ${id} is no longer stored; it may have been pruned by the retention settings.`);
        else setDelivery(found);
      },
      (failure: unknown) => active && setError(`Loading delivery ${id} failed: ${String(failure)}`),
    );
    return () => {
      active = false;
    };
  }, [api, id]);

  if (delivery !== null) return <ResendDialog api={api} delivery={delivery} defaultTarget={`${targetBase}${delivery.path}`} onClose={onClose} />;
  return (
    <ModalDialog label="Re-send delivery" onClose={onClose}>
      <p role={error === null ? 'status' : 'alert'}>{error ?? 'Loading the delivery…'}</p>
      <button type="button" onClick={onClose}>
        Close
      </button>
    </ModalDialog>
  );
}
