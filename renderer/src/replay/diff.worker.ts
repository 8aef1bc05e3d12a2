/// <reference lib="webworker" />
import { diffDeliveries } from '../../../electron/core/diff';
import type { DiffOptions, DiffSide } from '../../../electron/core/diff';
import type { DeliveryDiff } from '../../../electron/core/contract';

/** A comparison job: both sides' headers and body bytes. */
export interface DiffJob {
  left: DiffSide;
  right: DiffSide;
  options: DiffOptions;
}

export type DiffJobResult = { ok: true; diff: DeliveryDiff } | { ok: false; message: string };

// Runs off the renderer's main thread, so comparing two 5 MB bodies never freezes the window.
self.onmessage = (event: MessageEvent<DiffJob>) => {
  let result: DiffJobResult;
  try {
    result = { ok: true, diff: diffDeliveries(event.data.left, event.data.right, event.data.options) };
  } catch (error) {
    result = { ok: false, message: `Comparing the deliveries failed: ${(error as Error).message}` };
  }
  self.postMessage(result);
};
