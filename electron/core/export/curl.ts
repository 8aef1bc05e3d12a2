import type { PreparedDelivery } from './prepare';

/**
 * Headers curl must not copy from the delivery: the connection and framing headers that
 * curl sets for its own request, and `Host`, which names the tunnel, not the target.
 */
const NOT_COPIED = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'expect']);

/** Headers curl adds on its own; each one the delivery lacks is turned off with `Name:`. */
const CURL_DEFAULTS = ['User-Agent', 'Accept', 'Content-Type', 'Expect'];

/** Environment variable that overrides the base URL a script sends to. */
export const CURL_BASE_URL_ENV = 'HOOKTRAY_BASE_URL';

/**
 * Writes a POSIX shell script that sends one delivery with curl. The body goes through
 * `--data-binary @file` from the `.body` file beside the script, so every byte is sent as
 * stored. `--path-as-is` and `--globoff` keep curl from rewriting `../` or brackets in the path.
 */
export function curlScript(prepared: PreparedDelivery, bodyFile: string | null, baseUrl: string): string {
  const { delivery } = prepared;
  const copied = prepared.headers.filter(([name]) => !NOT_COPIED.has(name.toLowerCase()));
  const copiedNames = new Set(copied.map(([name]) => name.toLowerCase()));
  const args: string[] = ['--silent', '--show-error', '--globoff', '--path-as-is', '--request', shellQuote(delivery.method)];
  args.push('--url', `"\${${CURL_BASE_URL_ENV}:-${doubleQuoteSafe(baseUrl)}}"${shellQuote(delivery.path)}`);

  for (const [name, value] of copied) {
    // curl drops a header given as `Name:`; `Name;` sends it with an empty value.
    args.push('--header', shellQuote(value === '' ? `${name};` : `${name}: ${value}`));
  }
  for (const name of CURL_DEFAULTS) {
    if (!copiedNames.has(name.toLowerCase())) args.push('--header', shellQuote(`${name}:`));
  }
  if (bodyFile !== null) args.push('--data-binary', `"@$(dirname "$0")/${bodyFile}"`);

  const lines = [
    '#!/bin/sh',
    `# Hooktray delivery ${delivery.id}: ${comment(delivery.method)} ${comment(delivery.path)}, ${delivery.size} bytes, SHA-256 ${delivery.bodySha256}.`,
    `# Sends to $${CURL_BASE_URL_ENV} when set; otherwise to ${comment(baseUrl)}.`,
    `exec curl ${args.join(' \\\n  ')}`,
    '',
  ];
  return lines.join('\n');
}

/** Quotes text for a POSIX shell: single quotes, with each `'` written as `'\''`. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Escapes the characters that stay special inside double quotes. */
function doubleQuoteSafe(text: string): string {
  return text.replace(/[\\"$`}]/g, (char) => `\\${char}`);
}

/** Keeps received text on one comment line: control characters become `?`. */
function comment(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, '?');
}
