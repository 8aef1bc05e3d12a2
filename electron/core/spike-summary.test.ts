import { describe, expect, it } from 'vitest';
import { MAX_EVENTS_LISTED, MAX_EVENTS_READ, MAX_LIST_ENTRIES, MAX_SUMMARIZED_BYTES, rfc3339ToNanos, summarizeSpike } from './spike-summary';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

const EVENTS = [
  {
    application_user_id: 'user-a',
    timestamp: '2025-04-15T13:33:55.271331177Z',
    event_type: 'record_change',
    metrics: ['steps', 'distance'],
    activity_types: ['walking'],
    provider_slug: 'garmin',
    earliest_record_start_at: '2025-04-14T00:00:00.000000001Z',
    latest_record_end_at: '2025-04-15T13:30:00Z',
  },
  {
    application_user_id: 'user-b',
    timestamp: '2025-04-15T13:33:56Z',
    event_type: 'record_change',
    metrics: ['steps', 'heartrate'],
    activity_types: ['running'],
    provider_slug: 'oura',
    earliest_record_start_at: '2025-04-14T00:00:00Z',
    latest_record_end_at: '2025-04-15T15:30:00.999999999+02:00',
  },
];

describe('rfc3339ToNanos', () => {
  it('keeps nanoseconds', () => {
    expect(rfc3339ToNanos('2025-04-15T13:33:55.271331177Z')).toBe(1744724035271331177n);
  });

  it('applies offsets', () => {
    expect(rfc3339ToNanos('2025-04-15T15:33:55.5+02:00')).toBe(rfc3339ToNanos('2025-04-15T13:33:55.500Z'));
  });

  it('rejects other formats', () => {
    expect(rfc3339ToNanos('15/04/2025')).toBeNull();
    expect(rfc3339ToNanos('2025-04-15T13:33:55.1234567891Z')).toBeNull();
  });
});

describe('summarizeSpike', () => {
  it('collects users, metrics and the window', () => {
    const summary = summarizeSpike(bytes(JSON.stringify(EVENTS)));
    expect(summary?.eventCount).toBe(2);
    expect(summary?.users).toEqual(['user-a', 'user-b']);
    expect(summary?.metrics).toEqual(['steps', 'distance', 'heartrate']);
    expect(summary?.activityTypes).toEqual(['walking', 'running']);
    expect(summary?.providers).toEqual(['garmin', 'oura']);
    expect(summary?.warnings).toEqual([]);
  });

  it('picks the window by exact time, keeping text', () => {
    const summary = summarizeSpike(bytes(JSON.stringify(EVENTS)));
    // 00:00:00Z is one nanosecond before 00:00:00.000000001Z; 15:30+02:00 is 13:30:00.999999999Z.
    expect(summary?.window.start).toBe('2025-04-14T00:00:00Z');
    expect(summary?.window.end).toBe('2025-04-15T15:30:00.999999999+02:00');
    expect(summary?.events[0]?.timestamp).toBe('2025-04-15T13:33:55.271331177Z');
  });

  it('ignores bodies of other providers', () => {
    expect(summarizeSpike(bytes('{"action":"opened"}'))).toBeNull();
    expect(summarizeSpike(bytes('[1,2,3]'))).toBeNull();
    expect(summarizeSpike(bytes('not json'))).toBeNull();
  });

  it('warns on malformed input under a Spike profile', () => {
    expect(summarizeSpike(bytes('not json'), false)?.warnings[0]).toMatch(/not valid JSON/);
    expect(summarizeSpike(bytes('{"a":1}'), false)?.warnings).toEqual(['The body is not a JSON array of events.']);
    const odd = summarizeSpike(bytes('[{"event_type":"mystery","timestamp":"yesterday"}, 7]'), false);
    expect(odd?.warnings).toContain('Event 0 has the unknown event_type "mystery".');
    expect(odd?.warnings).toContain('Event 0 has a timestamp that is not RFC 3339: "yesterday".');
    expect(odd?.warnings).toContain('Event 1 is not a JSON object.');
  });
});

describe('summarizeSpike bounds', () => {
  it('bounds lists, events and warnings', () => {
    const items = Array.from({ length: 5_000 }, (_, index) => ({ event_type: 'record_change', application_user_id: `user-${index}`, timestamp: 'soon' }));
    const summary = summarizeSpike(bytes(JSON.stringify(items)));
    expect(summary?.eventCount).toBe(5_000);
    expect(summary?.users).toHaveLength(MAX_LIST_ENTRIES);
    expect(summary?.events).toHaveLength(MAX_EVENTS_LISTED);
    expect(summary?.warnings).toContain(`The events name more than ${MAX_LIST_ENTRIES} users; the summary lists the first ${MAX_LIST_ENTRIES}.`);
    expect(summary?.warnings).toContain(`The detail lists the first ${MAX_EVENTS_LISTED} of the 5000 events read.`);
    expect(summary?.warnings.at(-1)).toBe('4980 more warning(s) are not shown.');
    expect(JSON.stringify(summary).length).toBeLessThan(300_000);
  });

  it('reads a bounded number of events', () => {
    const summary = summarizeSpike(bytes(`[${Array(MAX_EVENTS_READ + 5).fill('{"event_type":"record_change"}').join(',')}]`));
    expect(summary?.eventCount).toBe(MAX_EVENTS_READ + 5);
    expect(summary?.warnings[0]).toBe(`Only the first ${MAX_EVENTS_READ} of ${MAX_EVENTS_READ + 5} events were read; the window and lists cover those.`);
  });

  it('skips bodies over the size bound', () => {
    const big = Buffer.alloc(MAX_SUMMARIZED_BYTES + 1, 0x20);
    expect(summarizeSpike(big)).toBeNull();
    expect(summarizeSpike(big, false)?.warnings[0]).toMatch(/over the 26214400 that Hooktray summarizes/);
  });
});
