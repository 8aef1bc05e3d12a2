import type { DeliverySummary, TunnelStatus, Verdict } from '../core/contract';

/**
 * Escapes control characters (C0, DEL, C1) so received text printed to a terminal cannot
 * move the cursor, change colours or ring the bell: ESC becomes `\x1b`, a newline `\n`.
 * Invisible characters that change how text reads, such as a byte order mark, zero-width
 * spaces and bidirectional overrides, become `\ufeff` and the like, so a difference in
 * them shows on the terminal.
 */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g, (char) => {
    if (char === '\n') return '\\n';
    if (char === '\r') return '\\r';
    if (char === '\t') return '\\t';
    const code = char.charCodeAt(0);
    if (code > 0xff) return `\\u${code.toString(16).padStart(4, '0')}`;
    return `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

/**
 * Escapes, in JSON text, the characters that JSON.stringify leaves raw and a terminal may act
 * on: DEL and C1 controls, bidirectional marks, invisible characters and line separators. They
 * can only occur inside strings, so the text parses to the same value.
 */
export function escapeJsonForTerminal(json: string): string {
  return json.replace(/[\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

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

/** One readable line per delivery: time, method, path, size, verdict and a Spike summary. */
export function formatDeliveryLine(delivery: DeliverySummary): string {
  const time = delivery.receivedAt.slice(11, 23);
  const parts = [time, delivery.method, escapeControl(delivery.path), formatSize(delivery.size), formatVerdict(delivery.verdict)];
  if (delivery.truncated) parts.push('[over the body limit: 413]');
  if (delivery.retryOf !== null) parts.push(`[retry of ${delivery.retryOf}]`);
  if (delivery.spike !== null) {
    const spike = delivery.spike;
    parts.push(escapeControl(`spike: ${spike.eventCount} event(s), users ${spike.users.join(',') || '-'}, metrics ${spike.metrics.join(',') || '-'}`));
  }
  return parts.join('  ');
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
