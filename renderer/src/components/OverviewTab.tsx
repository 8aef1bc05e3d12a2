import type { DeliveryDetail, SpikeDetail, SpikeEvent } from '../../../electron/core/contract';
import { notStoredNote } from '../../../electron/core/not-stored';
import { formatDateTime, formatSize, revealInvisible } from '../lib/format';
import { VerdictBadge } from './VerdictBadge';

/** Renders the verdict with its diagnosis, the delivery's facts and, for Spike, the data to fetch for each event. */
export function OverviewTab({ detail }: { detail: DeliveryDetail }) {
  const verdict = detail.verdict;
  const facts: [string, string | null][] = [
    ['Scheme', verdict.scheme],
    ['Profile', verdict.profile],
    ['Matching key', verdict.keyIndex === undefined ? null : `key ${verdict.keyIndex + 1}`],
    ['Digest encoding', verdict.encoding ?? null],
    ['Detected scheme', verdict.detectedScheme ?? null],
  ];
  return (
    <div className="overview">
      <section aria-label="Verdict" className="verdict-box">
        <VerdictBadge verdict={verdict} />
        <p>{verdict.reason}</p>
        {verdict.diagnosis !== undefined && <p className="diagnosis">Diagnosis: {verdict.diagnosis}</p>}
        <dl className="facts">
          {facts
            .filter((fact): fact is [string, string] => fact[1] !== null)
            .map(([name, value]) => (
              <div key={name}>
                <dt>{name}</dt>
                <dd>{value}</dd>
              </div>
            ))}
        </dl>
      </section>
      {detail.spike !== null && <SpikeEvents spike={detail.spike} />}
      <DeliveryFacts detail={detail} />
    </div>
  );
}

function DeliveryFacts({ detail }: { detail: DeliveryDetail }) {
  const rows: [string, string | null][] = [
    ['Id', detail.id],
    ['Received', `${formatDateTime(detail.receivedAt)} (${detail.receivedAt})`],
    ['Request', `${detail.method} ${detail.path} HTTP/${detail.httpVersion}`],
    ['Size', `${formatSize(detail.size)} (${detail.size} bytes)${detail.truncated ? `, ${notStoredNote(detail.truncatedReason)}` : ''}`],
    // A body that was not stored would show the empty body's digest.
    ['Body SHA-256', detail.truncated ? null : detail.bodySha256],
    ['Content-Encoding', detail.contentEncoding],
    ['Decoding error', detail.decodeError],
    ['Remote address', detail.remoteAddress],
    ['X-Forwarded-For', detail.forwardedFor],
    ['Retry of', detail.retryOf],
  ];
  return (
    <table className="facts-table" aria-label="Delivery facts">
      <tbody>
        {rows
          .filter((row): row is [string, string] => row[1] !== null)
          .map(([name, value]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>{value}</td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}

/** Describes in one sentence which data to fetch from Spike's query API, for which user and time window. */
export function fetchHint(event: SpikeEvent): string {
  const kinds = [...event.metrics, ...event.activityTypes.map((type) => `${type} activities`)];
  const kindsText = kinds.length === 0 ? 'changed records' : kinds.join(', ');
  const user = event.applicationUserId ?? '(no user id)';
  const provider = event.providerSlug === null ? '' : ` from ${event.providerSlug}`;
  const window = `${event.earliestRecordStartAt ?? '?'} to ${event.latestRecordEndAt ?? '?'}`;
  return `Fetch ${kindsText} for user ${user}${provider}, ${window}.`;
}

/**
 * Shows why a Spike summary lists no events. A body that is no array, is not JSON or is too large
 * has a warning that explains it, and one with an empty array has none.
 */
function NoEventsHint({ spike }: { spike: SpikeDetail }) {
  if (spike.eventCount > 0) return <p className="hint">No item of the array is an event object, so there are no events to list.</p>;
  if (spike.warnings.length > 0) return null;
  return <p className="hint">The body is an empty array, so there are no events to list.</p>;
}

/** Lists the Spike events. Every text taken from the body goes through revealInvisible. */
function SpikeEvents({ spike }: { spike: SpikeDetail }) {
  return (
    <section aria-label="Spike events" className="spike-events">
      <h3>
        Spike: {spike.eventCount} event{spike.eventCount === 1 ? '' : 's'}
        {spike.window.start !== null && revealInvisible(` · window ${spike.window.start} to ${spike.window.end ?? '?'}`)}
      </h3>
      {spike.warnings.length > 0 && (
        <ul className="warnings">
          {spike.warnings.map((warning) => (
            <li key={warning}>{revealInvisible(warning)}</li>
          ))}
        </ul>
      )}
      {spike.events.length === 0 ? (
        <NoEventsHint spike={spike} />
      ) : (
        <table aria-label="Spike events">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Event</th>
              <th scope="col">Timestamp</th>
              <th scope="col">Metrics</th>
              <th scope="col">Activity types</th>
              <th scope="col">Provider</th>
              <th scope="col">Window</th>
              <th scope="col">What to fetch</th>
            </tr>
          </thead>
          <tbody>
            {spike.events.map((event, index) => (
              <tr key={index}>
                <td>{revealInvisible(event.applicationUserId ?? '—')}</td>
                <td>{revealInvisible(event.eventType ?? '—')}</td>
                <td className="timestamp">{revealInvisible(event.timestamp ?? '—')}</td>
                <td>{revealInvisible(event.metrics.join(', ') || '—')}</td>
                <td>{revealInvisible(event.activityTypes.join(', ') || '—')}</td>
                <td>{revealInvisible(event.providerSlug ?? '—')}</td>
                <td>{revealInvisible(`${event.earliestRecordStartAt ?? '?'} to ${event.latestRecordEndAt ?? '?'}`)}</td>
                <td>{revealInvisible(fetchHint(event))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
