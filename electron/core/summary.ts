import type { DeliveryDetail, DeliverySummary } from './contract';
import { spikeSummaryOf } from './spike-summary';

/** Returns the list-view fields of a delivery, dropping headers, bodies and Spike events. */
export function toSummary(delivery: DeliveryDetail): DeliverySummary {
  return {
    id: delivery.id,
    receivedAt: delivery.receivedAt,
    method: delivery.method,
    path: delivery.path,
    size: delivery.size,
    truncated: delivery.truncated,
    truncatedReason: delivery.truncatedReason,
    verdict: delivery.verdict,
    spike: delivery.spike === null ? null : spikeSummaryOf(delivery.spike),
    retryOf: delivery.retryOf,
    bodySha256: delivery.bodySha256,
  };
}
