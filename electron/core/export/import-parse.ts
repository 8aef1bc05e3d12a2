import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { HeaderPair, TruncatedReason } from '../contract';
import { TRUNCATED_REASONS } from '../contract';
import { escapeControl, escapeJsonText } from '../escape-control';
import { containsKeyPart } from '../signatures/key-spellings';
import { decodeBody } from './body-text';
import { FIXTURE_FORMAT, FIXTURE_VERSION } from './fixture';

/** A request read from an export file, before it becomes a stored delivery. */
export interface ImportedRequest {
  /** Id the delivery had when it was exported; null for HAR entries from other tools. */
  originalId: string | null;
  receivedAt: string;
  method: string;
  path: string;
  httpVersion: string;
  headers: HeaderPair[];
  body: Buffer;
  size: number;
  truncated: boolean;
  truncatedReason: TruncatedReason | null;
  /** File and position it came from, for messages and the imported mark. */
  origin: string;
}

/**
 * A file that cannot be imported; the message names the file, the field and the fix. Control
 * characters in the message are escaped, so it stays one line whatever a file or path contains.
 */
export class ImportFormatError extends Error {
  override name = 'ImportFormatError';

  constructor(message: string) {
    super(escapeControl(message));
  }
}

/** Text that a message shows in place of a value from a file that contains part of a configured key. */
export const KEY_PART_NOT_SHOWN = '(not shown: it contains part of a configured key)';

/** Maximum characters of a rejected value that a message quotes. */
const QUOTED_CHARACTERS = 100;

/**
 * Quotes a value from a file for a message, as a JSON string with control and invisible
 * characters escaped and cut after QUOTED_CHARACTERS. A value that contains part of one of
 * `keys` is left out, and the message shows KEY_PART_NOT_SHOWN in its place.
 */
export function quoteValue(value: string, keys: readonly string[]): string {
  if (keys.length > 0 && containsKeyPart(value, keys)) return KEY_PART_NOT_SHOWN;
  const shown = value.length > QUOTED_CHARACTERS ? value.slice(0, QUOTED_CHARACTERS) : value;
  return `${escapeJsonText(JSON.stringify(shown))}${shown.length < value.length ? '…' : ''}`;
}

/**
 * A problem with a value from a file: a message in which RECEIVED marks where the value goes,
 * and the value. The schemas cannot quote the value themselves, because only the caller knows
 * the keys that decide whether it may be shown.
 */
interface ValueFault {
  template: string;
  received: string;
}

/** The mark in a ValueFault's template that `faultText` replaces with the quoted value. */
const RECEIVED = '{received}';

/** Returns a fault's message with its value quoted by `quoteValue`. */
function faultText(fault: ValueFault, keys: readonly string[]): string {
  return fault.template.replace(RECEIVED, () => quoteValue(fault.received, keys));
}

/** Adds a fault to a schema's issues; `issueMessage` quotes its value later. */
function addFault(context: z.core.$RefinementCtx, fault: ValueFault, path?: string[]): void {
  context.addIssue({ code: 'custom', message: fault.template, params: { received: fault.received }, ...(path === undefined ? {} : { path }) });
}

/** Returns the message of a schema issue, with the value of a fault that `addFault` added quoted. */
function issueMessage(issue: z.core.$ZodIssue | undefined, keys: readonly string[]): string {
  if (issue === undefined) return 'invalid value';
  const received: unknown = issue.code === 'custom' ? issue.params?.received : undefined;
  return typeof received === 'string' ? faultText({ template: issue.message, received }, keys) : issue.message;
}

/**
 * An RFC 9110 token, the only method or header name that node:http sends and the receiver
 * accepts. A hand-edited file with anything else could be stored but never re-sent.
 */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const TOKEN_CHARACTERS = "letters, digits and !#$%&'*+-.^_`|~, without spaces or colons";
const method = z.string().regex(TOKEN, `expected an HTTP method such as POST, made of ${TOKEN_CHARACTERS}`);
const headerName = z.string().regex(TOKEN, `expected a header name made of ${TOKEN_CHARACTERS}`);
/** Characters node:http sends in a header value, the same the receiver accepts: tab, printable ASCII and Latin-1. */
const headerValue = z.string().regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'expected a header value of printable ASCII or Latin-1 characters and tabs, without line breaks');
const headerPair = z.tuple([headerName, headerValue]);
const encodedBody = z.strictObject({ encoding: z.enum(['utf8', 'base64']), data: z.string() }).superRefine((body, context) => {
  const fault = body.encoding === 'base64' ? base64Fault(body.data) : null;
  if (fault !== null) addFault(context, fault, ['data']);
});
const truncatedReason = z.enum(TRUNCATED_REASONS).nullable().optional();
const bodySha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 hash as 64 lowercase hex digits');
const requestTarget = z.string().superRefine((path, context) => {
  const fault = requestTargetFault(path);
  if (fault !== null) addFault(context, fault);
});

/** Base64 as Buffer#toString('base64') writes it: the RFC 4648 alphabet, with or without its "=" padding. */
const BASE64_TEXT = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Returns null for valid base64 text, or what is wrong with it. Buffer.from(text, 'base64')
 * skips characters outside the alphabet, so without this check a damaged body would be
 * imported as other bytes.
 */
function base64Fault(text: string): ValueFault | null {
  const padded = text.endsWith('=');
  if (BASE64_TEXT.test(text) && (padded ? text.length % 4 === 0 : text.length % 4 !== 1)) return null;
  const invalid = /[^A-Za-z0-9+/=]/u.exec(text);
  if (invalid !== null) {
    return { template: `expected base64 text, but character ${invalid.index + 1}, ${RECEIVED}, is not one of A-Z, a-z, 0-9, "+", "/" or "=" padding`, received: invalid[0] };
  }
  return { template: `expected base64 text, but its length of ${text.length} characters or its "=" padding is invalid`, received: '' };
}

/**
 * A request target that the receiver can store, because the HTTP parser of Node 20.20 accepts
 * it: the origin form "/path?query", the asterisk form "*" or the absolute form
 * "http://host/path", made of printable ASCII without spaces. That parser responds with 400 to
 * targets with spaces, control characters or other bytes.
 */
const REQUEST_TARGET = /^(?:\/|\*|[A-Za-z]+:\/\/)[\x21-\x7e]*$/;

/** Returns null for a path the receiver could have stored, or what is wrong with it. */
function requestTargetFault(path: string): ValueFault | null {
  if (REQUEST_TARGET.test(path)) return null;
  return {
    template: `expected a path that starts with "/" and has only printable ASCII characters, without spaces or control characters, such as "/webhooks/orders?attempt=1"; got ${RECEIVED}`,
    received: path,
  };
}

const fixtureSchema = z.looseObject({
  format: z.literal(FIXTURE_FORMAT),
  version: z.number().int().min(1).max(FIXTURE_VERSION),
  id: z.string().min(1),
  receivedAt: z.iso.datetime({ offset: true }),
  method,
  path: requestTarget,
  httpVersion: z.string().default('1.1'),
  headers: z.array(headerPair),
  body: encodedBody,
  bodySha256: bodySha256.optional(),
  size: z.number().int().min(0).optional(),
  truncated: z.boolean().default(false),
  truncatedReason,
});

export type ParsedFixture = z.infer<typeof fixtureSchema>;

/**
 * Validates one fixture record (a fixture file or an NDJSON line). `origin` names it in
 * messages, and a value that contains part of one of `keys` is left out of them.
 */
export function parseFixtureRecord(json: unknown, origin: string, keys: readonly string[] = []): ParsedFixture {
  const result = fixtureSchema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? '(record)' : issue.path.join('.');
  throw new ImportFormatError(`${origin} is not a Hooktray fixture: field "${field}": ${issueMessage(issue, keys)}. Correct that field, or export the delivery again with hooktray export.`);
}

/**
 * Chooses a fixture's body: the `.body` file's bytes when they match `bodySha256`, because they
 * are the exact copy. Otherwise the JSON body wins if it still matches. If it does not, the
 * `.body` file was edited on purpose and wins. Without a `.body` file the JSON body is used,
 * edited or not. A mismatch adds a warning that names the choice.
 */
export function fixtureBody(inline: Buffer, bodyFile: Buffer | null, bodySha256: string | undefined, origin: string, warnings: string[]): Buffer {
  if (bodyFile === null) {
    checkBodyHash(inline, bodySha256, origin, warnings);
    return inline;
  }
  if (bodySha256 === undefined || sha256(bodyFile) === bodySha256) return bodyFile;
  const useFile = sha256(inline) !== bodySha256;
  warnings.push(`${origin}: the .body file does not match bodySha256; used the ${useFile ? 'edited .body file' : 'JSON body'}.`);
  return useFile ? bodyFile : inline;
}

/** Adds a warning when a body, which is then imported as it is, does not match the `bodySha256` exported with it. */
function checkBodyHash(body: Buffer, bodySha256: string | undefined, origin: string, warnings: string[]): void {
  if (bodySha256 !== undefined && sha256(body) !== bodySha256) warnings.push(`${origin}: the body does not match bodySha256; used the edited body.`);
}

/**
 * Throws ImportFormatError for a body marked as not stored that has bytes. The receiver stores
 * an empty body whenever `truncated` is true, so such a record was edited by hand, and storing
 * it would show a body with a "not stored" reason.
 */
function checkTruncatedBody(truncated: boolean, body: Buffer, field: string, origin: string, fileKind: string): void {
  if (!truncated || body.byteLength === 0) return;
  throw new ImportFormatError(
    `${origin} is not ${fileKind}: field "${field}" is true, which marks a body that was not stored, but the body has ${body.byteLength} bytes. ` +
      `Set "${field}" to false to import the body, or empty the body.`,
  );
}

/**
 * Turns a fixture record into a request. `bodyFile` contains the bytes of the `.body` file
 * beside it, when there is one. Those bytes win when their SHA-256 matches, because they are the exact copy.
 */
export function requestFromFixture(record: ParsedFixture, origin: string, bodyFile: Buffer | null, warnings: string[]): ImportedRequest {
  const body = fixtureBody(decodeBody(record.body), bodyFile, record.bodySha256, origin, warnings);
  checkTruncatedBody(record.truncated, body, 'truncated', origin, 'a valid Hooktray fixture');
  return {
    originalId: record.id,
    receivedAt: record.receivedAt,
    method: record.method,
    path: record.path,
    httpVersion: record.httpVersion,
    headers: record.headers,
    body,
    size: record.truncated ? (record.size ?? body.byteLength) : body.byteLength,
    truncated: record.truncated,
    truncatedReason: importedReason(record.truncated, record.truncatedReason),
    origin,
  };
}

const harSchema = z.looseObject({
  log: z.looseObject({
    entries: z.array(
      z.looseObject({
        startedDateTime: z.string().superRefine((value, context) => {
          if (Number.isNaN(Date.parse(value))) addFault(context, { template: `expected a date and time such as "2025-04-15T13:33:55.271Z"; got ${RECEIVED}`, received: value });
        }),
        request: z.looseObject({
          method,
          url: z.string().min(1),
          httpVersion: z.string(),
          // HTTP/2 pseudo-headers such as ":authority" are skipped below, so only other names must be tokens.
          headers: z.array(
            z.looseObject({
              name: z.string().refine((name) => name.startsWith(':') || TOKEN.test(name), `expected a header name made of ${TOKEN_CHARACTERS}`),
              value: headerValue,
            }),
          ),
          postData: z
            .looseObject({
              mimeType: z.string(),
              text: z.string().optional(),
              encoding: z.string().optional(),
              params: z.array(z.looseObject({ name: z.string(), value: z.string().optional() })).optional(),
            })
            .superRefine((postData, context) => {
              const fault = postData.encoding === 'base64' && postData.text !== undefined ? base64Fault(postData.text) : null;
              if (fault !== null) addFault(context, fault, ['text']);
            })
            .optional(),
        }),
        _hooktray: z
          .looseObject({ id: z.string(), path: requestTarget, bodySha256: bodySha256.optional(), truncated: z.boolean().optional(), truncatedReason, size: z.number().optional() })
          .optional(),
      }),
    ),
  }),
});

/**
 * Reads every entry of a HAR file as a request. Entries Hooktray wrote keep their exact path
 * and id; entries from other tools take the path from the URL and skip HTTP/2 pseudo-headers.
 * A body that does not match the entry's `_hooktray.bodySha256` adds a line to `warnings`.
 * Messages leave out a value that contains part of one of `keys`.
 */
export function requestsFromHar(json: unknown, origin: string, warnings: string[], keys: readonly string[] = []): ImportedRequest[] {
  const result = harSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ImportFormatError(`${origin} is not a valid HAR file: field "${issue?.path.join('.') ?? '(root)'}": ${issueMessage(issue, keys)}.`);
  }
  return result.data.log.entries.map((entry, index) => {
    const { request } = entry;
    const entryOrigin = `${origin} entry ${index + 1}`;
    const body = harBody(request.postData);
    const truncated = entry._hooktray?.truncated ?? false;
    checkBodyHash(body, entry._hooktray?.bodySha256, entryOrigin, warnings);
    checkTruncatedBody(truncated, body, `log.entries.${index}._hooktray.truncated`, origin, 'a valid HAR file');
    const path = entry._hooktray?.path ?? pathOfUrl(request.url);
    const pathFault = requestTargetFault(path);
    if (pathFault !== null) throw new ImportFormatError(`${origin} is not a valid HAR file: field "log.entries.${index}.request.url": ${faultText(pathFault, keys)}.`);
    return {
      originalId: entry._hooktray?.id ?? null,
      receivedAt: new Date(entry.startedDateTime).toISOString(),
      method: request.method,
      path,
      httpVersion: request.httpVersion.replace(/^HTTP\//i, '') || '1.1',
      headers: request.headers.filter((header) => !header.name.startsWith(':')).map((header): HeaderPair => [header.name, header.value]),
      body,
      size: truncated ? (entry._hooktray?.size ?? body.byteLength) : body.byteLength,
      truncated,
      truncatedReason: importedReason(truncated, entry._hooktray?.truncatedReason),
      origin: entryOrigin,
    };
  });
}

/** Returns why an imported body was not stored. Files exported before the reason was recorded lack it, and then a body over the body limit was the only cause. */
export function importedReason(truncated: boolean, reason: TruncatedReason | null | undefined): TruncatedReason | null {
  if (!truncated) return null;
  return reason ?? 'body-limit';
}

function harBody(postData: { text?: string | undefined; encoding?: string | undefined; params?: { name: string; value?: string | undefined }[] | undefined } | undefined): Buffer {
  if (postData === undefined) return Buffer.alloc(0);
  if (postData.text !== undefined) return Buffer.from(postData.text, postData.encoding === 'base64' ? 'base64' : 'utf8');
  if (postData.params === undefined) return Buffer.alloc(0);
  // Tools that parsed a form body list its params instead of its text.
  const form = new URLSearchParams(postData.params.map((param): [string, string] => [param.name, param.value ?? '']));
  return Buffer.from(form.toString(), 'utf8');
}

function pathOfUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return url.startsWith('/') ? url : `/${url}`;
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
