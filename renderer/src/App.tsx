import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { HooktrayApi, VerdictStatus } from '../../electron/core/contract';
import type { DeliveryListHandle } from './components/DeliveryList';
import { DeliveryList } from './components/DeliveryList';
import type { DetailTab } from './components/DeliveryPane';
import { DETAIL_TABS, DeliveryPane } from './components/DeliveryPane';
import { EmptyState } from './components/EmptyState';
import { ModalDialog } from './components/ModalDialog';
import { ExportDialog } from './export/ExportDialog';
import { ImportAction } from './export/ImportAction';
import { SettingsDialog } from './components/SettingsDialog';
import { CompareView } from './replay/CompareView';
import { ResendLauncher } from './replay/ResendLauncher';
import { SendTestDialog } from './replay/SendTestDialog';
import { useCopy } from './components/CopyFeedback';
import { StatusBar, deliveryUrl } from './components/StatusBar';
import { Toolbar } from './components/Toolbar';
import type { ListFilter } from './hooks/useDeliveryList';
import { useDeliveryList } from './hooks/useDeliveryList';
import { useSelection } from './hooks/useSelection';
import { useStatus } from './hooks/useStatus';
import { formatCount } from './lib/format';

/** Wait after the last keystroke before the filter queries the store, in ms. */
const FILTER_DEBOUNCE_MS = 100;
/** First target of the re-send dialog: a local development server, the usual target. */
const DEFAULT_RESEND_BASE = 'http://localhost:3000';

interface AppProps {
  api: HooktrayApi;
  /** Reason the connection to the core ended; null while connected. */
  disconnected: string | null;
}

/** Keys that move the list selection, with their steps in rows. Elsewhere they keep their browser meaning, such as scrolling. */
const LIST_STEPS: ReadonlyMap<string, number> = new Map([
  ['ArrowDown', 1],
  ['ArrowUp', -1],
  ['PageDown', 20],
  ['PageUp', -20],
  ['Home', -Infinity],
  ['End', Infinity],
]);

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** Returns true when the list keys act on the delivery list, which is when the list has focus or no element has. */
function listHasKeys(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return true;
  return target === document.body || target === document.documentElement || target.closest('.list-pane [role="listbox"]') !== null;
}

export function App({ api, disconnected }: AppProps) {
  const { status, error: statusError, reverify, reload: reloadStatus } = useStatus(api);
  const [text, setText] = useState('');
  const [debouncedText, setDebouncedText] = useState('');
  const [verdict, setVerdict] = useState<VerdictStatus | 'all'>('all');
  const filter = useMemo<ListFilter>(() => ({ text: debouncedText, verdict }), [debouncedText, verdict]);
  const list = useDeliveryList(api, filter);
  const { selection, notice, select, selectAttempt, clear: clearSelection } = useSelection(api, list, filter);
  const [tab, setTab] = useState<DetailTab>('Overview');
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [exportOpen, setExportOpen] = useState(false);
  const [sendTestOpen, setSendTestOpen] = useState(false);
  const [resendId, setResendId] = useState<string | null>(null);
  /** The delivery picked as the left side of a comparison, waiting for the right side. */
  const [compareBase, setCompareBase] = useState<string | null>(null);
  const [comparing, setComparing] = useState<{ left: string; right: string } | null>(null);
  const { outcome: copied, copy } = useCopy();
  const filterRef = useRef<HTMLInputElement>(null);
  const listHandle = useRef<DeliveryListHandle>(null);
  const paneRef = useRef<HTMLElement>(null);

  // Runs after the hooks above subscribed, so the Electron shell can release held pushes.
  useEffect(() => {
    void api.ready?.();
  }, [api]);

  useEffect(() => {
    const timer = setTimeout(() => setDebouncedText(text), FILTER_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);

  const url = deliveryUrl(status);
  const copyUrl = useCallback(() => {
    if (url === null) return;
    copy(url);
  }, [url, copy]);

  const moveSelection = useCallback(
    (delta: number) => {
      const groups = list.groups.groups;
      if (groups.length === 0) return;
      const current = selection === null ? -1 : groups.findIndex((group) => group.key === selection.key);
      let target = current + delta;
      // Without a selected row, End goes to the last row and every other key to the first.
      if (current === -1) target = delta === Infinity ? groups.length - 1 : 0;
      const next = Math.min(groups.length - 1, Math.max(0, target));
      const group = groups[next];
      if (group === undefined) return;
      select(group);
      listHandle.current?.scrollToIndex(next);
    },
    [list.groups, selection, select],
  );

  useEffect(() => {
    /**
     * Switches the detail tab. A focused control in the panel goes away with it, so the pane takes
     * the focus, and a focused tab passes the focus to the new tab, so arrow keys go on from there.
     */
    const showTab = (next: DetailTab, target: EventTarget | null): void => {
      if (next !== tab && target instanceof Element && target.closest('[role="tabpanel"]') !== null) paneRef.current?.focus();
      setTab(next);
      if (next !== tab && target instanceof HTMLElement && target.getAttribute('role') === 'tab') {
        // The new tab takes the roving tabindex on the next render, so it is focused after that.
        requestAnimationFrame(() => document.getElementById(`tab-${next}`)?.focus());
      }
    };
    const onKey = (event: KeyboardEvent): void => {
      // An open dialog handles its own keys, Escape included (see ModalDialog).
      const dialogOpen = settingsOpen || exportOpen || sendTestOpen || resendId !== null || comparing !== null;
      if (event.ctrlKey || event.metaKey || event.altKey || dialogOpen || isEditable(event.target)) return;
      const listStep = LIST_STEPS.get(event.key);
      const tabIndex = ['1', '2', '3'].indexOf(event.key);
      // Outside the list, such as in the detail pane, the list keys pass on and the browser scrolls.
      if (listStep !== undefined && !listHasKeys(event.target)) return;

      if (listStep !== undefined) moveSelection(listStep);
      // Without a selection, Export takes every delivery that matches the filter.
      else if (event.key === 'Escape' && selection !== null && listHasKeys(event.target)) clearSelection();
      else if (event.key === '/') filterRef.current?.focus();
      else if (event.key === 'u') copyUrl();
      else if (tabIndex >= 0) showTab(DETAIL_TABS[tabIndex] as DetailTab, event.target);
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [moveSelection, clearSelection, selection, copyUrl, tab, settingsOpen, exportOpen, sendTestOpen, resendId, comparing]);

  const group = selection === null ? null : (list.groups.groupOf(selection.key) ?? null);
  const summary = selection === null ? null : (list.groups.get(selection.id) ?? null);
  const filtered = filter.text.trim() !== '' || filter.verdict !== 'all';
  const empty = list.groups.groups.length === 0 && !list.hasMore && list.error === null;

  return (
    <div className="app">
      <StatusBar
        status={status}
        statusError={statusError}
        reverify={reverify}
        disconnected={disconnected}
        copied={copied}
        onCopyUrl={copyUrl}
        onOpenSettings={() => setSettingsOpen(true)}
      />
      <main className="workspace">
        <section className="list-pane" aria-label="Delivery list">
          <Toolbar filterRef={filterRef} text={text} verdict={verdict} onText={setText} onVerdict={setVerdict} onLeave={() => listHandle.current?.focus()} />
          <p className="list-summary" role="status">
            {list.loading && list.groups.groups.length === 0 ? 'Loading…' : `${formatCount(list.total)} ${filtered ? 'matching' : 'stored'}`}
          </p>
          <div className="list-actions">
            <button type="button" onClick={() => setExportOpen(true)}>
              {selection === null ? 'Export…' : 'Export selected…'}
            </button>
            <ImportAction api={api} />
            <button type="button" disabled={selection === null} onClick={() => selection !== null && setResendId(selection.id)}>
              Re-send…
            </button>
            {compareBase === null || selection === null || selection.id === compareBase ? (
              <button type="button" disabled={selection === null} onClick={() => selection !== null && setCompareBase(selection.id)}>
                {compareBase === null ? 'Compare…' : 'Select another delivery to compare'}
              </button>
            ) : (
              <button
                type="button"
                onClick={() => {
                  setComparing({ left: compareBase, right: selection.id });
                  setCompareBase(null);
                }}
              >
                Compare with picked
              </button>
            )}
            {compareBase !== null && (
              <button type="button" onClick={() => setCompareBase(null)}>
                Cancel compare
              </button>
            )}
          </div>
          {list.pendingNew > 0 && (
            <button
              type="button"
              className="pending"
              onClick={() => {
                list.reload();
                listHandle.current?.scrollToIndex(0);
              }}
            >
              {list.pendingNew === 1 ? '1 new delivery arrived: show it' : `${formatCount(list.pendingNew)} new deliveries arrived: show them`}
            </button>
          )}
          {list.error !== null && (
            <p className="error" role="alert">
              {list.error}
            </p>
          )}
          {empty ? (
            <EmptyState url={url} filtered={filtered} onClearFilter={() => {
              setText('');
              setVerdict('all');
            }} />
          ) : (
            <DeliveryList list={list} selectedKey={selection?.key ?? null} pickedId={compareBase} onSelect={select} handle={listHandle} />
          )}
        </section>
        <DeliveryPane
          paneRef={paneRef}
          api={api}
          group={group}
          summary={summary}
          notice={notice}
          tab={tab}
          onTab={setTab}
          onAttempt={selectAttempt}
        />
      </main>
      <footer className="shortcuts">
        Keys: ↑ ↓ select · Esc clear selection · / filter · u copy URL · 1 2 3 Overview, Headers, Body{' '}
        <button type="button" onClick={() => setSendTestOpen(true)}>
          Send test delivery
        </button>
      </footer>
      {settingsOpen && (
        <SettingsDialog
          api={api}
          onClose={() => {
            setSettingsOpen(false);
            reloadStatus();
          }}
        />
      )}
      {exportOpen && (
        <ExportDialog
          api={api}
          selection={
            selection !== null
              ? { ids: [selection.id] }
              : { ...(filter.text.trim() === '' ? {} : { text: filter.text.trim() }), ...(filter.verdict === 'all' ? {} : { verdicts: [filter.verdict] }) }
          }
          onClose={() => setExportOpen(false)}
        />
      )}
      {resendId !== null && <ResendLauncher api={api} id={resendId} targetBase={DEFAULT_RESEND_BASE} onClose={() => setResendId(null)} />}
      {comparing !== null && (
        <ModalDialog label="Compare deliveries" wide onClose={() => setComparing(null)}>
          <CompareView api={api} leftId={comparing.left} rightId={comparing.right} onClose={() => setComparing(null)} />
        </ModalDialog>
      )}
      {sendTestOpen && <SendTestDialog api={api} defaultTarget={url ?? status?.localUrl ?? ''} onClose={() => setSendTestOpen(false)} />}
    </div>
  );
}
