import type { DeliverySummary, TunnelStatus, Verdict } from '../core/contract';
import { escapeControl, escapeJsonText } from '../core/escape-control';
import { notStoredNote } from '../core/not-stored';

export { escapeControl, escapeJsonText as escapeJsonForTerminal };

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatVerdict(verdict: Verdict): string {
  const details = [verdict.scheme, verdict.encoding, verdict.keyIndex === undefined ? undefined : `key ${verdict.keyIndex + 1}`]
    .filter((part) => part !== undefined && part !== null)
    .join(', ');
  return details === '' ? verdict.status : `${verdict.status} (${details})`;
}

/** Characters of a sent value, such as a path or a user id, that a delivery line shows before an ellipsis. */
export const MAX_SHOWN_CHARS = 80;

/**
 * One readable line per delivery: time, method, path, size, verdict and a Spike summary. The
 * path and each user id and metric show at most `maxShownChars` characters, then an ellipsis
 * and the value's full length, so a long value cannot fill the terminal.
 */
export function formatDeliveryLine(delivery: DeliverySummary, maxShownChars = MAX_SHOWN_CHARS): string {
  const show = (value: string): string => shortenValue(value, maxShownChars);
  const time = delivery.receivedAt.slice(11, 23);
  const parts = [time, delivery.method, show(delivery.path), formatSize(delivery.size), formatVerdict(delivery.verdict)];
  if (delivery.truncated) parts.push(`[${notStoredNote(delivery.truncatedReason)}]`);
  if (delivery.retryOf !== null) parts.push(`[retry of ${delivery.retryOf}]`);
  if (delivery.spike !== null) {
    const spike = delivery.spike;
    parts.push(`spike: ${spike.eventCount} event(s), users ${spike.users.map(show).join(',') || '-'}, metrics ${spike.metrics.map(show).join(',') || '-'}`);
  }
  return parts.join('  ');
}

/**
 * Returns a value with its control characters escaped, cut after `maxChars` UTF-16 code units
 * with "…" and its full length in characters. A cut never splits a surrogate pair.
 */
export function shortenValue(value: string, maxChars: number): string {
  if (value.length <= maxChars) return escapeControl(value);
  let end = maxChars;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${escapeControl(value.slice(0, end))}… (${value.length} characters)`;
}

/**
 * Returns the listener that prints one line per tunnel transition: NDJSON with `json`, else
 * text. The tunnel server chooses the URL and the text of its errors, so text lines escape them.
 */
export function tunnelPrinter(json: boolean, localUrl: string, print: (line: string) => void): (status: TunnelStatus) => void {
  let warnedUrl: string | null = null;
  return (status) => {
    if (json) {
      print(JSON.stringify({ type: 'tunnel', ...status }));
      return;
    }
    print(formatTunnelLine(status, localUrl));
    const changed = status.subdomainChanged;
    if (changed !== undefined && changed.url !== warnedUrl) {
      warnedUrl = changed.url;
      print(`Warning: the tunnel server assigned ${escapeControl(changed.url)} instead of ${escapeControl(changed.previousUrl)}, because the subdomain was taken; update the webhook URL in your provider's console, or restart later to get the old one back.`);
    }
  };
}

function formatTunnelLine(status: TunnelStatus, localUrl: string): string {
  const url = escapeControl(status.url ?? '');
  const reason = escapeControl(status.reason ?? '');
  switch (status.state) {
    case 'online':
      return `Hooktray listening on ${url} (public, forwarded to ${localUrl})`;
    case 'connecting':
      return 'Tunnel connecting';
    case 'reconnecting':
      return `Tunnel reconnecting (attempt ${status.attempt}, next try at ${status.nextTryAt}): ${reason}`;
    default:
      return `Tunnel ${status.state}: ${reason}`;
  }
}
