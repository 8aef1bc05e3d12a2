'use strict';
// The Spike body the benchmarks send: a JSON array of `record_change` events, as Spike posts.

/** Returns `count` events for users `user-<first>` onwards. */
function spikeEvents(count, first = 0) {
  return Array.from({ length: count }, (_, index) => ({
    application_user_id: `user-${first + index}`,
    timestamp: '2025-04-15T13:33:55.271331177Z',
    event_type: 'record_change',
    metrics: ['steps', 'distance'],
    activity_types: ['walking'],
    provider_slug: 'garmin',
    earliest_record_start_at: '2025-04-14T00:00:00Z',
    latest_record_end_at: '2025-04-15T13:30:00Z',
  }));
}

module.exports = { spikeEvents };
