import { CopyFailure, useCopy } from './CopyFeedback';

interface EmptyStateProps {
  url: string | null;
  filtered: boolean;
  onClearFilter: () => void;
}

/** Shell-quotes a URL for the sample command; single quotes inside are closed and escaped. */
function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Tells the user what to do when the list is empty: copy the URL to a provider, or send a test delivery. */
export function EmptyState({ url, filtered, onClearFilter }: EmptyStateProps) {
  const { outcome, copy } = useCopy();
  if (filtered) {
    return (
      <div className="empty-state">
        <p>No stored delivery matches the filter.</p>
        <button type="button" onClick={onClearFilter}>
          Clear the filter
        </button>
      </div>
    );
  }

  const target = `${url ?? 'http://127.0.0.1:PORT'}/webhooks/test`;
  const command = `curl -X POST ${quote(target)} -H 'Content-Type: application/json' -d '{"hello":"hooktray"}'`;
  return (
    <div className="empty-state">
      <h2>No deliveries yet</h2>
      <p>Copy the URL above into your provider’s webhook settings (for Spike: the admin console), or send a test delivery from a terminal:</p>
      <pre className="command">{command}</pre>
      <button
        type="button"
        onClick={() => copy(command)}
      >
        {outcome === 'copied' ? 'Copied' : 'Copy command'}
      </button>
      <CopyFailure outcome={outcome} subject="command" />
    </div>
  );
}
