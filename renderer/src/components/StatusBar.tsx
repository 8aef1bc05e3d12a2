import type { AppStatus, ReverifyProgress } from '../../../electron/core/contract';
import { formatCount } from '../lib/format';
import type { CopyOutcome } from './CopyFeedback';
import { CopyFailure } from './CopyFeedback';

interface StatusBarProps {
  status: AppStatus | null;
  statusError: string | null;
  reverify: ReverifyProgress | null;
  disconnected: string | null;
  /** Outcome of the last Copy URL, shown for a short time. */
  copied: CopyOutcome | null;
  onCopyUrl: () => void;
  onOpenSettings: () => void;
}

/** The URL a provider should post to: the public one while the tunnel has it, else the local one. */
export function deliveryUrl(status: AppStatus | null): string | null {
  if (status === null) return null;
  return `${status.tunnel.url ?? status.localUrl}${status.pathPrefix}`;
}

export function StatusBar({ status, statusError, reverify, disconnected, copied, onCopyUrl, onOpenSettings }: StatusBarProps) {
  const url = deliveryUrl(status);
  return (
    <header className="status-bar">
      <div className="status-url">
        <span className="label">{status?.tunnel.url ? 'Public URL' : 'Local URL'}</span>
        <code className="url" data-testid="delivery-url">
          {url ?? '…'}
        </code>
        <button type="button" onClick={onCopyUrl} disabled={url === null} title="Copy the URL (shortcut: u)">
          {copied === 'copied' ? 'Copied' : 'Copy URL'}
        </button>
        <CopyFailure outcome={copied} subject="URL" />
      </div>
      <div className="status-facts">
        <span className={`badge tunnel-${status?.tunnel.state ?? 'unknown'}`} title={status?.tunnel.reason ?? ''}>
          tunnel: {status?.tunnel.state ?? '…'}
        </span>
        <span>receiver port {status?.receiverPort ?? '…'}</span>
        <span data-testid="delivery-count">{status === null ? '…' : `${formatCount(status.deliveryCount)} deliveries`}</span>
        {reverify !== null && !reverify.finished && (
          <span role="status">
            re-verifying {formatCount(reverify.done)} / {formatCount(reverify.total)}
          </span>
        )}
        <button type="button" onClick={onOpenSettings}>
          Settings
        </button>
      </div>
      {status?.storage.state === 'failing' && (
        <p className="error" role="alert">
          Deliveries are not being stored ({formatCount(status.storage.rejected)} answered 503 so their senders retry): {status.storage.message}
        </p>
      )}
      {statusError !== null && <p className="error" role="alert">{statusError}</p>}
      {disconnected !== null && (
        <p className="error" role="alert">
          Disconnected: {disconnected}. If hooktray ui stopped, start it again and open the new URL that it prints, because each start makes a new token. If it
          still runs, reload this page.
        </p>
      )}
    </header>
  );
}
