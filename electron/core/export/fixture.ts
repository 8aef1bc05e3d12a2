import type { HeaderPair, SpikeDetail, TruncatedReason, VerdictStatus } from '../contract';
import type { EncodedBody } from './body-text';
import { encodeBody } from './body-text';
import type { PreparedDelivery } from './prepare';
import { exportFacts } from './prepare';

/** Version of the fixture and NDJSON record layout; importers reject newer versions. */
export const FIXTURE_VERSION = 1;
export const FIXTURE_FORMAT = 'hooktray-fixture';

/** One delivery as a fixture file or an NDJSON line. Everything but `body` is metadata. */
export interface FixtureRecord {
  format: typeof FIXTURE_FORMAT;
  version: number;
  id: string;
  receivedAt: string;
  method: string;
  /** Path with query, exactly as received. */
  path: string;
  /** Query parameters decoded, in received order, for readers that do not parse `path`. */
  query: [name: string, value: string][];
  httpVersion: string;
  /** Headers in received order with their original case; redacted values read `[redacted]`. */
  headers: HeaderPair[];
  body: EncodedBody;
  /** Name of the file beside this one with the exact body bytes; absent in NDJSON. */
  bodyFile?: string;
  bodySha256: string;
  size: number;
  truncated: boolean;
  /** Reason the body was not stored, or null when `truncated` is false. Fixtures written before it was recorded lack it. */
  truncatedReason: TruncatedReason | null;
  contentEncoding: string | null;
  verdict: { status: VerdictStatus; scheme: string | null };
  /** How signature headers were written: as received, redacted, re-signed with the test key, or none present. */
  signatures: PreparedDelivery['signatures'];
  resignedScheme: string | null;
  redactedHeaders: string[];
  /** The Spike summary with each event, as the delivery's detail has it. */
  spike: SpikeDetail | null;
}

/** One line of a fixture folder's `index.json`. */
export interface FixtureIndexEntry {
  id: string;
  file: string;
  bodyFile: string;
  receivedAt: string;
  method: string;
  path: string;
  bodySha256: string;
}

export function fixtureRecord(prepared: PreparedDelivery, bodyFile?: string): FixtureRecord {
  const { delivery } = prepared;
  return {
    format: FIXTURE_FORMAT,
    version: FIXTURE_VERSION,
    id: delivery.id,
    receivedAt: delivery.receivedAt,
    method: delivery.method,
    path: delivery.path,
    query: queryPairs(delivery.path),
    httpVersion: delivery.httpVersion,
    headers: prepared.headers,
    body: encodeBody(delivery.body),
    ...(bodyFile === undefined ? {} : { bodyFile }),
    ...exportFacts(prepared),
    spike: delivery.spike,
  };
}

/** Decodes the query string into ordered pairs; a malformed escape is kept as received. */
export function queryPairs(path: string): [string, string][] {
  const index = path.indexOf('?');
  if (index < 0) return [];
  const pairs: [string, string][] = [];
  for (const part of path.slice(index + 1).split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = equals < 0 ? part : part.slice(0, equals);
    const value = equals < 0 ? '' : part.slice(equals + 1);
    pairs.push([decodeQueryPart(name), decodeQueryPart(value)]);
  }
  return pairs;
}

function decodeQueryPart(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
