import type { RefObject } from 'react';
import { useEffect, useState } from 'react';
import type { DeliveryDetail, DeliverySummary, HooktrayApi } from '../../../electron/core/contract';
import { invokeCancellable } from '../api/cancellable';
import type { DeliveryGroup } from '../lib/delivery-groups';
import { formatTime } from '../lib/format';
import { onRovingKey } from '../lib/roving';
import { BodyTab } from './BodyTab';
import { HeadersTab } from './HeadersTab';
import { OverviewTab } from './OverviewTab';

export const DETAIL_TABS = ['Overview', 'Headers', 'Body'] as const;
export type DetailTab = (typeof DETAIL_TABS)[number];

interface DeliveryPaneProps {
  /** The pane's scroll container, which takes the focus when a focused control in it goes away. */
  paneRef: RefObject<HTMLElement | null>;
  api: HooktrayApi;
  group: DeliveryGroup | null;
  /** The attempt shown; its summary carries the current verdict. */
  summary: DeliverySummary | null;
  /** Message about a selection that ended without the user, shown while `summary` is null, or null for none. */
  notice: string | null;
  tab: DetailTab;
  onTab: (tab: DetailTab) => void;
  onAttempt: (id: string) => void;
}

type Loaded = { id: string; detail: DeliveryDetail | null; error: string | null };

/** Time a selection must rest before its detail is fetched, in ms. */
const DETAIL_DEBOUNCE_MS = 100;

/** Renders the detail region and fetches the selected delivery's headers and body on demand. */
export function DeliveryPane({ paneRef, api, group, summary, notice, tab, onTab, onAttempt }: DeliveryPaneProps) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const id = summary?.id ?? null;

  useEffect(() => {
    if (id === null) return;
    // Arrow keys move the selection faster than a large body arrives, so a selection is
    // fetched once it rests briefly, and moving on cancels the fetch of the previous one.
    const abort = new AbortController();
    const timer = setTimeout(() => {
      invokeCancellable(api, 'deliveries.get', { id }, abort.signal).then(
        (detail) => {
          if (!abort.signal.aborted) setLoaded({ id, detail, error: detail === null ? `Delivery ${id} is no longer stored (retention may have removed it).` : null });
        },
        (error: unknown) => {
          if (!abort.signal.aborted) setLoaded({ id, detail: null, error: `Loading delivery ${id} failed: ${(error as Error).message}` });
        },
      );
    }, DETAIL_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [api, id]);

  if (summary === null || group === null) {
    return (
      <section ref={paneRef} className="detail-pane" role="region" aria-label="Delivery" tabIndex={0}>
        {notice !== null && (
          <p className="note" role="status">
            {notice}
          </p>
        )}
        <p className="hint">Select a delivery to see its verdict, headers and body.</p>
      </section>
    );
  }

  const current = loaded !== null && loaded.id === summary.id ? loaded : null;
  // Pushed verdict changes update the summary; the fetched detail may be older.
  const detail = current?.detail === null || current === null ? null : { ...current.detail, verdict: summary.verdict };
  return (
    // Focusable, so the keyboard can scroll a long header list or body (the list keys pass to it).
    <section ref={paneRef} className="detail-pane" role="region" aria-label="Delivery" tabIndex={0}>
      <div className="detail-head">
        <strong>{summary.method}</strong> <code>{summary.path}</code>
      </div>
      {group.attempts.length > 1 && <Attempts group={group} selectedId={summary.id} onAttempt={onAttempt} />}
      <div role="tablist" aria-label="Delivery views" className="tabs">
        {DETAIL_TABS.map((name, index) => (
          <button
            key={name}
            type="button"
            role="tab"
            id={`tab-${name}`}
            aria-selected={tab === name}
            aria-controls={`panel-${name}`}
            tabIndex={tab === name ? 0 : -1}
            title={`Shortcut: ${index + 1}`}
            onClick={() => onTab(name)}
            onKeyDown={(event) => onRovingKey(event, index, DETAIL_TABS.length, (next) => onTab(DETAIL_TABS[next] ?? name))}
          >
            {name}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tab-panel">
        {current === null && <p className="hint">Loading…</p>}
        {current?.error != null && (
          <p className="error" role="alert">
            {current.error}
          </p>
        )}
        {detail !== null && tab === 'Overview' && <OverviewTab detail={detail} />}
        {detail !== null && tab === 'Headers' && <HeadersTab headers={detail.headers} />}
        {detail !== null && tab === 'Body' && <BodyTab key={detail.id} detail={detail} onLeaveFind={() => paneRef.current?.focus()} />}
      </div>
    </section>
  );
}

function Attempts({ group, selectedId, onAttempt }: { group: DeliveryGroup; selectedId: string; onAttempt: (id: string) => void }) {
  // Attempts are held newest first; number them in the order they arrived.
  const oldestFirst = [...group.attempts].reverse();
  return (
    <div className="attempts" role="group" aria-label="Attempts">
      <span>Attempts (same method, path and body):</span>
      {oldestFirst.map((attempt) => (
        <button key={attempt.id} type="button" aria-pressed={attempt.id === selectedId} onClick={() => onAttempt(attempt.id)}>
          {attempt.retryOf === null ? 'first' : 'retry'} {formatTime(attempt.receivedAt)}
        </button>
      ))}
    </div>
  );
}
