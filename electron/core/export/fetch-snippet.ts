import type { HeaderPair } from '../contract';

/** The request a fetch snippet sends; the body is text because only UTF-8 bodies get snippets. */
export interface FetchSnippetRequest {
  method: string;
  url: string;
  headers: readonly HeaderPair[];
  body: string | null;
}

/**
 * Writes a JavaScript snippet that sends the request with the global `fetch`, for Node and
 * browsers. Headers are an array of [name, value] pairs, which fetch accepts, so every
 * header keeps its place. An object literal keeps one value per name, and its `__proto__`
 * key sets the prototype instead of adding a header.
 *
 * NOTE: fetch itself still joins same-name headers into one comma-separated field, adds
 * defaults such as `accept` and `user-agent`, and parses the URL, which resolves `../`.
 * Node's fetch also drops a `__proto__` header, so `snippet` skips such deliveries for node:fetch.
 */
export function fetchSnippet(request: FetchSnippetRequest): string {
  const options = [`  method: ${literal(request.method)},`];
  if (request.headers.length > 0) {
    options.push('  headers: [');
    for (const [name, value] of request.headers) options.push(`    [${literal(name)}, ${literal(value)}],`);
    options.push('  ],');
  }
  if (request.body !== null) options.push(`  body: ${literal(request.body)},`);

  return [
    `const url = ${literal(request.url)};`,
    'const options = {',
    ...options,
    '};',
    '',
    'fetch(url, options)',
    '  .then(async (response) => console.log(response.status, await response.text()))',
    '  .catch((error) => console.error(error));',
    '',
  ].join('\n');
}

/**
 * Quotes text as a JavaScript string literal. JSON strings are valid JavaScript literals
 * since ES2019, which allowed U+2028 and U+2029 in them.
 */
function literal(text: string): string {
  return JSON.stringify(text);
}
