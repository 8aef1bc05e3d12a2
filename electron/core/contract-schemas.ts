import { z } from 'zod';
import type { InvokeChannel, InvokeChannels } from './contract';
import { EXPORT_FORMATS, MAX_QUERY_IDS, TEST_EVENT_KINDS, VERDICT_STATUSES } from './contract';
import { pathTokenFault } from './receiver-guard';
import {
  HEADER_NAME_PATTERN,
  HEADER_VALUE_PATTERN,
  MAX_EDITED_HEADERS,
  MAX_HEADER_VALUE_LENGTH,
  MAX_PROFILE_NAME_LENGTH,
  MAX_TEMPLATE_TIME_LENGTH,
  MAX_TEMPLATE_WORD_LENGTH,
  MAX_TEMPLATE_WORDS,
} from './request-rules';
import { plainIssueMessage } from './zod-messages';

/** Delivery ids are ULIDs: 26 characters of Crockford base 32. */
const deliveryId = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'expected a delivery id (26-character ULID)');

const isoTime = z.iso.datetime({ offset: true });

const deliveryQuery = z.strictObject({
  before: deliveryId.optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  text: z.string().max(1000).optional(),
  verdicts: z.array(z.enum(VERDICT_STATUSES)).max(VERDICT_STATUSES.length).optional(),
  ids: z.array(deliveryId).max(MAX_QUERY_IDS).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
});

/** Header names are RFC 9110 tokens; values may not contain line breaks or NUL. */
export const headerName = z.string().regex(HEADER_NAME_PATTERN, 'expected a header name (RFC 9110 token characters)');
/** Characters node:http sends in a header value: tab, printable ASCII and Latin-1, so no line breaks and no "€". */
export const headerValue = z
  .string()
  .max(MAX_HEADER_VALUE_LENGTH)
  .regex(HEADER_VALUE_PATTERN, 'expected a header value of printable ASCII or Latin-1 characters and tabs, without line breaks');

/** Headers that the receiver writes itself, because they frame the response or its connection. */
const RESERVED_RESPONSE_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'trailer', 'te', 'x-hooktray-delivery']);

/** A header name that the configured response may set: any but the framing and connection headers. */
export const responseHeaderName = headerName.refine(
  (name) => !RESERVED_RESPONSE_HEADERS.has(name.toLowerCase()),
  'remove this header, because Hooktray sets the framing and connection headers of its response itself',
);

/** Reports a body configured for status 204 or 304, whose responses have no body. */
export function checkBodylessStatus(response: { status: number; body: string }, context: z.RefinementCtx): void {
  if ((response.status === 204 || response.status === 304) && response.body !== '') {
    context.addIssue({ code: 'custom', path: ['body'], input: response.body, message: `empty the body, because a ${response.status} response has none` });
  }
}

/** Builds the schema of a whole number from min to max whose every violation reads `message`. */
function wholeNumber(min: number, max: number, message: string) {
  return z.number().int(message).min(min, message).max(max, message);
}

export const profileSettingsSchema = z.strictObject({
  name: z.string().min(1, 'enter a name').max(64, 'use at most 64 characters').regex(/^[^\p{Cc}]+$/u, 'remove the control characters, such as tabs and line breaks'),
  scheme: z.string().min(1).max(64),
  pathPrefix: z.string().startsWith('/', 'start the path prefix with "/"').max(1000, 'use at most 1000 characters'),
  options: z.record(z.string(), z.unknown()),
});

/**
 * Builds the schema of a JSON object that maps header names to values. z.record (zod 4.6.7)
 * skips a "__proto__" key without checking it, so this schema checks each own entry and
 * rebuilds the object with Object.fromEntries, which keeps "__proto__" as an own key.
 */
export function headerRecord(name: z.ZodType<string>, value: z.ZodType<string>) {
  const entry = z.tuple([name, value]);
  const isObject = (input: unknown): input is object => typeof input === 'object' && input !== null && !Array.isArray(input);

  return z.custom<object>(isObject, 'expected an object of header names and values').transform((input, context) => {
    const headers: [string, string][] = [];
    for (const [key, item] of Object.entries(input)) {
      const checked = entry.safeParse([key, item], { error: plainIssueMessage });
      if (checked.success) headers.push(checked.data);
      else context.addIssue({ code: 'custom', message: checked.error.issues[0]?.message ?? 'invalid header name or value', input: item, path: [key] });
    }
    return Object.fromEntries(headers);
  });
}

export const responseConfigSchema = z
  .strictObject({
    status: wholeNumber(100, 599, 'enter an HTTP status code from 100 to 599'),
    headers: headerRecord(responseHeaderName, headerValue),
    body: z.string().max(1024 * 1024, 'use at most 1,048,576 characters'),
    delayMs: wholeNumber(0, 120_000, 'enter a delay from 0 to 120000 ms'),
  })
  .superRefine(checkBodylessStatus);

/**
 * The shortest maximum age, in days: one hour. Retention deletes each minute, and with a shorter
 * age it could delete deliveries that the warning before saving did not count.
 */
export const MIN_MAX_AGE_DAYS = 1 / 24;

/** A maximum age in days: 0 keeps deliveries of any age, and a positive one is at least MIN_MAX_AGE_DAYS. */
export const maxAgeDaysSchema = z
  .number()
  .min(0, 'enter a number of days, 0 or more')
  .refine((days) => days === 0 || days >= MIN_MAX_AGE_DAYS, 'enter 0 to keep deliveries of any age, or at least 0.042 days (one hour)');

export const retentionConfigSchema = z.strictObject({
  maxCount: wholeNumber(0, Number.MAX_SAFE_INTEGER, 'enter a whole number, 0 or more'),
  maxAgeDays: maxAgeDaysSchema,
});

/** A DNS label in lower case, the form localtunnel servers accept as a subdomain. */
const subdomain = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'use lower-case letters, digits and inner hyphens, at most 63 characters');
const tunnelHost = z.url({ protocol: /^https?$/, error: 'enter an http or https URL' });

/** The settings as saved and as `settings.update` accepts them (every field required here). */
export const settingsSchema = z.strictObject({
  profiles: z.array(profileSettingsSchema).max(100, 'use at most 100 profiles'),
  response: responseConfigSchema,
  retention: retentionConfigSchema,
  subdomain: subdomain.nullable(),
  tunnelHost: tunnelHost.nullable(),
  notifications: z.strictObject({ deliveries: z.boolean(), invalidSignatures: z.boolean(), tunnel: z.boolean() }),
  protection: z.strictObject({
    pathToken: z
      .string()
      .superRefine((token, context) => {
        const fault = pathTokenFault(token);
        if (fault !== null) context.addIssue({ code: 'custom', message: `use 4 to 128 letters, digits, "-" or "_": ${fault}` });
      })
      .nullable(),
    rateLimitPerSecond: wholeNumber(0, 100_000, 'enter a limit from 0 to 100000 requests per second'),
  }),
});

/** Text of a settings update up to a size that bounds the request, not a rule of the field. */
const settingsText = z.string().max(65_536);

/**
 * Types and sizes of a `settings.update` request, without the value rules of settingsSchema.
 * SettingsService.update checks those and returns a failure naming the field, such as
 * `response.status`, so the settings form can show the message at that field. The same rule
 * checked here would reject the request with a message that names no field of the form.
 */
const settingsUpdateRequest = z
  .strictObject({
    profiles: z.array(z.strictObject({ name: settingsText, scheme: settingsText, pathPrefix: settingsText, options: z.record(z.string(), z.unknown()) })).max(1000),
    response: z.strictObject({ status: z.number(), headers: headerRecord(settingsText, settingsText), body: z.string().max(4 * 1024 * 1024), delayMs: z.number() }),
    retention: z.strictObject({ maxCount: z.number(), maxAgeDays: z.number() }),
    subdomain: settingsText.nullable(),
    tunnelHost: settingsText.nullable(),
    notifications: settingsSchema.shape.notifications,
    protection: z.strictObject({ pathToken: settingsText.nullable(), rateLimitPerSecond: z.number() }),
  })
  .partial()
  .extend({
    profileRenames: z.array(z.strictObject({ from: settingsText, to: settingsText })).max(1000).optional(),
    reverify: z.boolean().optional(),
    confirmRetention: z.boolean().optional(),
    newKeys: z
      .array(z.strictObject({ profile: settingsText, key: z.string().min(1).max(4096), mode: z.enum(['add', 'replace']).optional() }))
      .max(1000)
      .optional(),
  });

const setKeysRequest = z.strictObject({
  profile: z.string().min(1).max(64),
  keys: z.array(z.string().min(1).max(4096)).min(1).max(20),
  mode: z.enum(['add', 'replace']),
});

/** An absolute folder or file path without NUL, for export destinations and import sources. */
const localPath = z.string().min(1).max(4096).regex(/^(?:\/|[A-Za-z]:[\\/]|\\\\)[^\0]*$/, 'expected an absolute path');

/** Export ids are chosen by the caller: letters, digits, "-" and "_", such as a UUID. */
const exportId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'expected 8 to 64 letters, digits, "-" or "_"');

const exportRequest = z.strictObject({
  format: z.enum(EXPORT_FORMATS),
  ids: z.array(deliveryId).min(1).max(100_000).optional(),
  pathPrefix: z.string().startsWith('/').max(1000).optional(),
  text: z.string().max(1000).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  verdicts: z.array(z.enum(VERDICT_STATUSES)).max(VERDICT_STATUSES.length).optional(),
  language: z.string().regex(/^[a-z0-9]+(?::[a-z0-9_]+)?$/, 'expected a target such as python or node:fetch').optional(),
  redactHeaders: z.array(headerName).max(100).optional(),
  signatures: z.enum(['keep', 'redact', 'resign']).optional(),
  baseUrl: z.url({ protocol: /^https?$/, error: 'expected an http or https URL' }).optional(),
  folder: localPath.optional(),
  force: z.boolean().optional(),
  exportId: exportId.optional(),
  maxFiles: z.number().int().min(1).optional(),
});

const importRequest = z
  .strictObject({
    path: localPath.optional(),
    files: z.array(z.strictObject({ name: z.string().min(1).max(255), data: z.instanceof(Uint8Array) })).min(1).max(100_000).optional(),
  })
  .refine((request) => (request.path === undefined) !== (request.files === undefined), 'expected either path or files');

const targetUrl = z.url({ protocol: /^https?$/, error: 'expected an http or https URL' }).max(4096);
const profileName = z.string().min(1).max(MAX_PROFILE_NAME_LENGTH);

const diffRequest = z.strictObject({ left: deliveryId, right: deliveryId, ignoreVolatile: z.boolean().optional() });

/** Chosen by the page or the window for one re-send or test delivery, such as a UUID. */
const sendId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'expected 8 to 64 letters, digits, "-" or "_"');

const replayRequest = z.strictObject({
  id: deliveryId,
  sendId: sendId.optional(),
  target: targetUrl,
  resign: z.boolean().optional(),
  profile: profileName.optional(),
  edits: z
    .strictObject({
      headers: z.array(z.tuple([headerName, headerValue])).max(MAX_EDITED_HEADERS).optional(),
      body: z.instanceof(Uint8Array).optional(),
    })
    .optional(),
});

const templateWords = z.array(z.string().min(1).max(MAX_TEMPLATE_WORD_LENGTH)).max(MAX_TEMPLATE_WORDS);

const testEventRequest = z.strictObject({
  kind: z.enum(TEST_EVENT_KINDS),
  sendId: sendId.optional(),
  target: targetUrl,
  profile: profileName.optional(),
  spike: z
    .strictObject({
      users: templateWords.min(1).optional(),
      metrics: templateWords.optional(),
      activityTypes: templateWords.optional(),
      provider: z.string().min(1).max(MAX_TEMPLATE_WORD_LENGTH).optional(),
      windowStart: z.string().max(MAX_TEMPLATE_TIME_LENGTH).optional(),
      windowEnd: z.string().max(MAX_TEMPLATE_TIME_LENGTH).optional(),
    })
    .optional(),
});

const forwardRules = z.array(z.strictObject({ pathPrefix: z.string().startsWith('/').max(1000), target: targetUrl })).max(100);

/**
 * Schema of each invoke channel's request. Both adapters (Electron IPC and the browser
 * bridge) parse every request with these before it reaches a handler, because the
 * renderer is treated as untrusted input. The mapped type makes a new channel in the
 * contract fail to compile until it has a schema here.
 */
export const INVOKE_REQUEST_SCHEMAS: { [C in InvokeChannel]: z.ZodType<InvokeChannels[C]['request']> } = {
  'status.get': z.void(),
  'deliveries.list': deliveryQuery,
  'deliveries.get': z.strictObject({ id: deliveryId }),
  'settings.get': z.void(),
  'settings.update': settingsUpdateRequest,
  'profiles.setKeys': setKeysRequest,
  'export.run': exportRequest,
  'export.running': z.void(),
  'export.cancel': z.strictObject({ exportId }),
  'import.run': importRequest,
  'deliveries.diff': diffRequest,
  'deliveries.replay': replayRequest,
  'deliveries.replay.cancel': z.strictObject({ sendId }),
  'deliveries.responses': z.strictObject({ id: deliveryId }),
  'testEvents.send': testEventRequest,
  'testEvents.send.cancel': z.strictObject({ sendId }),
  'forward.rules.get': z.void(),
  'forward.rules.set': forwardRules,
};

/** The outcome of checking a request against its channel's schema. */
export type RequestCheck<C extends InvokeChannel> =
  | { ok: true; request: InvokeChannels[C]['request'] }
  | { ok: false; message: string };

/** Validates one request; the message names the channel, the field and the problem. */
export function parseInvokeRequest<C extends InvokeChannel>(channel: C, request: unknown): RequestCheck<C> {
  const schema = INVOKE_REQUEST_SCHEMAS[channel] as z.ZodType<InvokeChannels[C]['request']>;
  const result = schema.safeParse(request);
  if (result.success) return { ok: true, request: result.data };
  const issue = result.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? '(request)' : issue.path.join('.');
  return { ok: false, message: `Invalid request on channel "${channel}": field "${field}": ${issue?.message ?? 'invalid value'}.` };
}
