import { describe, expect, it } from 'vitest';
import { MAX_EVENTS_LISTED, MAX_EVENTS_READ, MAX_LIST_ENTRIES, MAX_SUMMARIZED_BYTES, rfc3339Problem, rfc3339ToNanos, summarizeSpike } from './spike-summary';

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

  it('reads years before 100', () => {
    expect(rfc3339ToNanos('0050-01-01T00:00:00Z')).toBe(BigInt(Date.UTC(2050, 0, 1) - 2000 * 365.2425 * 86_400_000) * 1_000_000n);
    expect(rfc3339ToNanos('0000-03-01T00:00:00.5Z')).toBe(BigInt(Date.UTC(2000, 2, 1) - 2000 * 365.2425 * 86_400_000) * 1_000_000n + 500_000_000n);
  });

  it('rejects dates that do not exist', () => {
    expect(rfc3339ToNanos('2024-02-31T25:61:61Z')).toBeNull();
    expect(rfc3339ToNanos('2023-02-29T00:00:00Z')).toBeNull();
  });
});

describe('rfc3339Problem', () => {
  // Text, and the problem reported, or null for a valid time.
  const cases: [string, string | null][] = [
    ['2024-02-29T23:59:59.999999999Z', null],
    ['2000-02-29T00:00:00Z', null],
    ['1900-02-29T00:00:00Z', 'day 29 is not in February 1900, which has 28 days'],
    ['2024-02-31T25:61:61Z', 'day 31 is not in February 2024, which has 29 days'],
    ['2024-04-31T00:00:00Z', 'day 31 is not in April 2024, which has 30 days'],
    ['2024-01-00T00:00:00Z', 'day 00 is not in January 2024, which has 31 days'],
    ['2024-13-45T00:00:00Z', 'month 13 is not 01 to 12'],
    ['2024-00-10T00:00:00Z', 'month 00 is not 01 to 12'],
    ['2024-01-10T24:00:00Z', 'hour 24 is not 00 to 23'],
    ['2024-01-10T10:60:00Z', 'minute 60 is not 00 to 59'],
    ['2024-01-10T10:00:61Z', 'second 61 is not 00 to 59, or 60 for a leap second'],
    ['2016-12-31T23:59:60Z', null],
    ['2016-12-31T18:59:60-05:00', null],
    ['2016-12-31T12:00:60Z', 'second 60, a leap second, at a time other than 23:59 UTC'],
    ['2024-01-10T10:00:00+24:00', 'the offset +24:00 is not -23:59 to +23:59'],
    ['2024-01-10T10:00:00+05:60', 'the offset +05:60 is not -23:59 to +23:59'],
    ['yesterday', 'it is not in RFC 3339 form'],
  ];
  for (const [text, problem] of cases) {
    it(`checks ${text}`, () => {
      expect(rfc3339Problem(text)).toBe(problem);
    });
  }
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

  it('warns on impossible times and leaves them out of the window', () => {
    const events = [
      { ...EVENTS[0], earliest_record_start_at: '2024-02-31T25:61:61Z', latest_record_end_at: '2025-13-01T00:00:00Z' },
      { ...EVENTS[1], timestamp: '2024-02-30T00:00:00.123456789Z' },
    ];
    const summary = summarizeSpike(bytes(JSON.stringify(events)));
    expect(summary?.warnings).toContain(
      'Event 0 has an earliest_record_start_at that is not a valid time, so the summary leaves it out: "2024-02-31T25:61:61Z" (day 31 is not in February 2024, which has 29 days).',
    );
    expect(summary?.warnings).toContain('Event 0 has a latest_record_end_at that is not a valid time, so the summary leaves it out: "2025-13-01T00:00:00Z" (month 13 is not 01 to 12).');
    expect(summary?.warnings).toContain(
      'Event 1 has a timestamp that is not a valid time, so the summary leaves it out: "2024-02-30T00:00:00.123456789Z" (day 30 is not in February 2024, which has 29 days).',
    );
    expect(summary?.window.start).toBe('2025-04-14T00:00:00Z');
    expect(summary?.window.end).toBe('2025-04-15T15:30:00.999999999+02:00');
    expect(summary?.events[1]?.timestamp).toBe('2024-02-30T00:00:00.123456789Z');
  });

  it('orders years before 100 first', () => {
    const events = [{ ...EVENTS[0], earliest_record_start_at: '0050-01-01T00:00:00Z' }, { ...EVENTS[1], earliest_record_start_at: '1920-01-01T00:00:00Z' }];
    const summary = summarizeSpike(bytes(JSON.stringify(events)));
    expect(summary?.window.start).toBe('0050-01-01T00:00:00Z');
    expect(summary?.warnings).toEqual([]);
  });

  it('warns on timestamps that are not strings', () => {
    const events = [{ ...EVENTS[0], timestamp: 1744724035, earliest_record_start_at: { seconds: 1 }, latest_record_end_at: null }];
    const summary = summarizeSpike(bytes(JSON.stringify(events)));
    expect(summary?.warnings).toContain('Event 0 has a timestamp that is the number 1744724035, not an RFC 3339 string, so the summary leaves it out.');
    expect(summary?.warnings).toContain('Event 0 has an earliest_record_start_at that is an object, not an RFC 3339 string, so the summary leaves it out.');
    expect(summary?.warnings).toHaveLength(2);
    expect(summary?.events[0]?.timestamp).toBeNull();
    expect(summary?.window).toEqual({ start: null, end: null });
  });

  it('quotes no rounded number', () => {
    const summary = summarizeSpike(Buffer.from('[{"application_user_id":"u","event_type":"record_change","timestamp":9007199254740993}]'));
    expect(summary?.warnings).toContain('Event 0 has a timestamp that is a number beyond 2^53, which JSON readers round, not an RFC 3339 string, so the summary leaves it out.');
    expect(summary?.warnings.join(' ')).not.toContain('9007199254740992');
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
