import { MAX_DECODED_BYTES } from '../content-encoding';
import type { DeliveryDetail, ExportSkip, HeaderPair, SignatureHandling } from '../contract';
import { deliveryBaseName } from './file-names';
import { resignHeaders, schemeForResign, SIGNATURE_HEADERS, testKeyFor } from './resign';
import type { Profile } from '../signatures/types';
import type { SecretScanner } from './secret-scanner';

export { DEFAULT_REDACTED_HEADERS } from '../contract';

/** The value written in place of a redacted header's value. */
export const REDACTED_VALUE = '[redacted]';

export interface PrepareOptions {
  /** Lower-case header names whose values are replaced with REDACTED_VALUE. */
  redactHeaders: ReadonlySet<string>;
  signatures: SignatureHandling;
  scanner: SecretScanner;
  /** Profiles whose scheme options re-signing needs, such as the generic HMAC's header. */
  profiles?: readonly Profile[];
  env?: NodeJS.ProcessEnv;
}

/** A delivery ready to be written in any format: headers redacted or re-signed, body untouched. */
export interface PreparedDelivery {
  delivery: DeliveryDetail;
  baseName: string;
  headers: HeaderPair[];
  /** Names of the headers whose values were replaced, in header order. */
  redactedHeaders: string[];
  signatures: 'kept' | 'redacted' | 'resigned' | 'none';
  /** Scheme whose signature was recomputed with the test key, when `signatures` is `resigned`. */
  resignedScheme: string | null;
  warnings: string[];
}

export type PrepareResult = { ok: true; prepared: PreparedDelivery } | { ok: false; skip: ExportSkip };

/**
 * Applies redaction and signature handling to one delivery. The body is never changed: a
 * delivery whose body or path contains a configured key, as is, escaped or compressed, is
 * skipped, because writing it would write the key. A header whose value contains a key is
 * redacted instead.
 */
export function prepareDelivery(delivery: DeliveryDetail, options: PrepareOptions): PrepareResult {
  const bodyScan = options.scanner.scanBody(delivery.body, delivery.contentEncoding);
  if (bodyScan === 'found') {
    return skip(delivery.id, 'body-contains-key', 'whose body contains a configured key', `Delivery ${delivery.id} was not exported: its body contains a configured key. Remove the key from the payload or export other deliveries.`);
  }
  if (bodyScan === 'too-large') {
    const limit = `${MAX_DECODED_BYTES / 1024 / 1024} MiB`;
    return skip(delivery.id, 'body-unchecked', `whose body decompresses to more than ${limit}, too large to check for keys`, `Delivery ${delivery.id} was not exported: its body decompresses to more than ${limit}, so it cannot be checked for configured keys.`);
  }
  if (options.scanner.containsText(delivery.path)) {
    return skip(delivery.id, 'path-contains-key', 'whose path contains a configured key', `Delivery ${delivery.id} was not exported: its path contains a configured key.`);
  }

  const warnings: string[] = [];
  let headers = delivery.headers.map(([name, value]): HeaderPair => [name, value]);
  const signatureNames = signatureHeaderNames(delivery, options.profiles);
  const hasSignature = headers.some(([name]) => signatureNames.has(name.toLowerCase()));
  let signatures: PreparedDelivery['signatures'] = hasSignature ? 'kept' : 'none';
  let resignedScheme: string | null = null;
  const redactSignatures = hasSignature && options.signatures !== 'keep';

  if (hasSignature && options.signatures === 'resign') {
    const outcome = resign(delivery, headers, options);
    if (outcome.ok) {
      headers = outcome.headers;
      signatures = 'resigned';
      resignedScheme = outcome.scheme;
    } else {
      warnings.push(outcome.message);
    }
  }

  const redactedHeaders: string[] = [];
  headers = headers.map(([name, value]): HeaderPair => {
    const lower = name.toLowerCase();
    const isSignature = signatureNames.has(lower);
    const redactAsSignature = isSignature && redactSignatures && signatures !== 'resigned';
    // A header that quotes a configured key, even escaped, is redacted whatever the options request.
    if (options.redactHeaders.has(lower) || redactAsSignature || options.scanner.containsText(value)) {
      redactedHeaders.push(name);
      return [name, REDACTED_VALUE];
    }
    return [name, value];
  });
  if (redactSignatures && signatures !== 'resigned') signatures = 'redacted';

  return {
    ok: true,
    prepared: { delivery, baseName: deliveryBaseName(delivery), headers, redactedHeaders, signatures, resignedScheme, warnings },
  };
}

function resign(
  delivery: DeliveryDetail,
  headers: HeaderPair[],
  options: PrepareOptions,
): { ok: true; headers: HeaderPair[]; scheme: string } | { ok: false; message: string } {
  const scheme = schemeForResign(delivery.verdict.scheme ?? delivery.verdict.detectedScheme, headers);
  if (scheme === null) {
    return { ok: false, message: `Delivery ${delivery.id}: no known signature scheme matches its headers, so its signature headers were redacted instead of re-signed.` };
  }
  const profile = options.profiles?.find((candidate) => candidate.name === delivery.verdict.profile && candidate.scheme === scheme);
  const result = resignHeaders({
    scheme,
    headers,
    body: delivery.body,
    key: testKeyFor(scheme, options.env ?? process.env),
    method: delivery.method,
    path: delivery.path,
    receivedAt: delivery.receivedAt,
    options: profile?.options ?? {},
  });
  if (!result.ok) return { ok: false, message: `Delivery ${delivery.id}: ${result.message}` };
  return { ok: true, headers: result.headers, scheme };
}

/** Returns the known signature headers plus the header a generic HMAC profile names in its options. */
function signatureHeaderNames(delivery: DeliveryDetail, profiles: readonly Profile[] | undefined): ReadonlySet<string> {
  const header = profiles?.find((profile) => profile.name === delivery.verdict.profile)?.options.header;
  if (typeof header !== 'string') return SIGNATURE_HEADERS;
  return new Set([...SIGNATURE_HEADERS, header.toLowerCase()]);
}

function skip(id: string, code: ExportSkip['code'], reason: string, message: string): PrepareResult {
  return { ok: false, skip: { id, code, reason, message } };
}

/** Returns what every export format records about a delivery besides its request: size, verdict and signature handling. */
export function exportFacts(prepared: PreparedDelivery) {
  const { delivery } = prepared;
  return {
    bodySha256: delivery.bodySha256,
    size: delivery.size,
    truncated: delivery.truncated,
    truncatedReason: delivery.truncatedReason,
    contentEncoding: delivery.contentEncoding,
    verdict: { status: delivery.verdict.status, scheme: delivery.verdict.scheme },
    signatures: prepared.signatures,
    resignedScheme: prepared.resignedScheme,
    redactedHeaders: prepared.redactedHeaders,
  };
}
