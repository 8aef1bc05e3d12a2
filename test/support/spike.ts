import { createHmac } from 'node:crypto';

/** Returns one Spike `record_change` event, with fields replaced by `overrides`. */
export function spikeEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    application_user_id: 'user-1',
    timestamp: '2025-04-15T13:33:55.271331177Z',
    event_type: 'record_change',
    metrics: ['steps', 'distance'],
    activity_types: ['walking'],
    provider_slug: 'garmin',
    earliest_record_start_at: '2025-04-14T00:00:00Z',
    latest_record_end_at: '2025-04-15T13:30:00.123456789Z',
    ...overrides,
  };
}

/** Returns a Spike `record_change` body as Spike sends it: a JSON array of events. */
export function spikeBody(userId = 'user-1', extra: Record<string, unknown> = {}): string {
  return JSON.stringify([spikeEvent({ application_user_id: userId, ...extra })]);
}

export function spikeSignature(key: string, body: string | Uint8Array, encoding: 'hex' | 'base64' = 'hex'): string {
  return createHmac('sha256', key).update(body).digest(encoding);
}
