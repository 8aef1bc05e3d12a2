import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { defaultDataDir } from '../core/app-info';
import { decodeContent } from '../core/content-encoding';
import type { DeliveryDiff, TextPatch } from '../core/contract';
import type { DiffSide } from '../core/diff';
import { diffDeliveries } from '../core/diff';
import { NotRegularFileError, readFileBesideFixture, readNamedFileSync } from '../core/export/import-files';
import type { ParsedFixture } from '../core/export/import-parse';
import { ImportFormatError, parseFixtureRecord, requestFromFixture } from '../core/export/import-parse';
import { findHeader } from '../core/headers';
import { bodyNotStoredMessage } from '../core/not-stored';
import { diffSideOf } from '../core/replay-service';
import type { DeliveryStore } from '../core/store';
import { parseCommandArgs, UsageError } from './args';
import { escapeControl } from './format';
import { explainStoreDamage, openStore, parseDeliveryId } from './stored';

export const DIFF_USAGE = `Usage: hooktray diff LEFT RIGHT [options]

Compares two deliveries. LEFT and RIGHT are stored delivery ids or files: a fixture file
from "hooktray export", or any other file, which is compared as a body without headers.
Prints the JSON paths that changed (as JSON Pointers), the header changes and a line diff.
Numbers are compared by their exact decimal value, never rounded.
Exits with 0 when nothing differs, 1 when something does, even only the JSON white space
of the bodies, and 2 for usage errors and for an id or file that cannot be compared.

Options:
  --json              print the whole comparison as one JSON object
  --ignore-volatile   skip timestamps, ids and signature headers, in the JSON changes,
                      the header changes and the body lines
  --data-dir DIR      folder of the store (default: ${defaultDataDir()})
  -h, --help          show this help`;

/** Runs `hooktray diff`; resolves with the exit code. */
export async function runDiff(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('diff', {
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      'ignore-volatile': { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(`${DIFF_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError(`Expected two deliveries to compare (ids or fixture files), got ${positionals.length}.`);

  // The store is opened only when an argument is a delivery id, so two files need no store.
  const opened: { store: DeliveryStore | null } = { store: null };
  try {
    const sides = positionals.map((reference) => {
      const id = parseDeliveryId(reference);
      if (id !== null && !existsSync(reference)) {
        opened.store ??= openStore(values['data-dir']);
        return storedSide(opened.store, id);
      }
      return fileSide(reference);
    }) as [DiffSide, DiffSide];

    const diff = diffDeliveries(sides[0], sides[1], { ignoreVolatile: values['ignore-volatile'] });
    process.stdout.write(values.json ? `${JSON.stringify(diff)}\n` : formatDiff(diff));
    return hasDifferences(diff) ? 1 : 0;
  } catch (error) {
    throw opened.store === null ? error : explainStoreDamage(error, opened.store);
  } finally {
    opened.store?.close();
  }
}

function storedSide(store: DeliveryStore, id: string): DiffSide {
  const delivery = store.get(id);
  if (delivery === null) throw new UsageError(`Delivery ${id} is not in the store at ${store.file}; check the id and --data-dir.`);
  if (delivery.truncated) throw new UsageError(`${bodyNotStoredMessage(id, delivery.truncatedReason)}, so it cannot be compared.`);
  return diffSideOf(delivery);
}

/** Reads a fixture file (with its `.body` file when present) or, failing that, any file as a bare body. */
function fileSide(reference: string): DiffSide {
  const file = resolve(reference);
  let bytes: Buffer;
  try {
    bytes = readNamedFileSync(file);
  } catch (error) {
    if (error instanceof NotRegularFileError) throw new UsageError(`${error.message}: give a delivery id (26-character ULID) or a fixture file.`);
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`Cannot read ${file} (${code}): give a delivery id (26-character ULID) or a fixture file.`);
  }

  const fixture = readFixture(bytes, file);
  if (fixture === null) return { label: basename(file), headers: [], body: bytes };

  const encoding = findHeader(fixture.headers, 'content-encoding')?.trim().toLowerCase();
  const decoded = encoding === undefined ? null : decodeContent(fixture.body, encoding).bytes;
  return { label: basename(file), headers: fixture.headers, body: decoded ?? fixture.body };
}

function readFixture(bytes: Buffer, file: string): ReturnType<typeof requestFromFixture> | null {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof json !== 'object' || json === null || (json as { format?: unknown }).format !== 'hooktray-fixture') return null;

  let record: ParsedFixture;
  try {
    record = parseFixtureRecord(json, file);
  } catch (error) {
    // A file marked as a fixture that fails validation is an input error, reported without a stack.
    if (error instanceof ImportFormatError) throw new UsageError(error.message);
    throw error;
  }
  const bodyFileName = (json as { bodyFile?: unknown }).bodyFile;
  let bodyBytes: Buffer | null = null;
  try {
    bodyBytes = typeof bodyFileName === 'string' ? readFileBesideFixture(file, basename(bodyFileName)) : null;
  } catch (error) {
    if (error instanceof ImportFormatError) throw new UsageError(error.message);
    throw error;
  }
  const warnings: string[] = [];
  let request: ReturnType<typeof requestFromFixture>;
  try {
    request = requestFromFixture(record, file, bodyBytes, warnings);
  } catch (error) {
    if (error instanceof ImportFormatError) throw new UsageError(error.message);
    throw error;
  }
  for (const warning of warnings) process.stderr.write(`hooktray diff: ${warning}\n`);
  return request;
}

/**
 * Returns true when the output shows a difference, or when the body bytes differ at all.
 * JSON written differently, such as with a repeated key, `1.0` for `1` or other white space,
 * counts as a difference because a signature over the body no longer matches.
 * With --ignore-volatile only what is printed counts, so volatile fields alone give false.
 */
function hasDifferences(diff: DeliveryDiff): boolean {
  const jsonChanged = diff.json !== null && diff.json.changes.length > 0;
  const bytesChanged = !diff.ignoreVolatile && !diff.identicalBodies;
  return jsonChanged || bytesChanged || diff.bodyPatch.status !== 'identical' || diff.headerChanges.length > 0;
}

/** Formats a comparison for a terminal; received text is escaped so it cannot drive the terminal. */
export function formatDiff(diff: DeliveryDiff): string {
  const lines: string[] = [`--- ${escapeControl(diff.left.label)} (${diff.left.size} bytes, ${diff.left.kind})`, `+++ ${escapeControl(diff.right.label)} (${diff.right.size} bytes, ${diff.right.kind})`];
  if (diff.ignoreVolatile) lines.push('(timestamps, ids and signature headers ignored)');

  if (diff.json !== null) {
    lines.push('', `JSON: ${diff.json.changes.length === 0 ? 'no changes' : `${diff.json.changes.length} change(s)`}${diff.json.truncated ? ' (list cut)' : ''}`);
    for (const change of diff.json.changes) {
      const values = change.kind === 'changed' ? `${change.before} -> ${change.after}` : (change.before ?? change.after ?? '');
      lines.push(escapeControl(`  ${change.kind.padEnd(7)} ${change.path || '(root)'}  ${values}`));
    }
  }

  lines.push('', `Headers: ${diff.headerChanges.length === 0 ? 'no changes' : `${diff.headerChanges.length} change(s)`}`);
  for (const change of diff.headerChanges) {
    const values = change.kind === 'changed' ? `${change.before?.join(', ')} -> ${change.after?.join(', ')}` : (change.before ?? change.after ?? []).join(', ');
    lines.push(escapeControl(`  ${change.kind.padEnd(7)} ${change.name}: ${values}`));
  }

  lines.push('', 'Body lines:', ...formatPatch(diff.bodyPatch));
  // Indented JSON keeps every token as received, so equal lines mean the bytes differ in white space only.
  if (diff.bodyPatch.status === 'identical' && !diff.identicalBodies && !diff.ignoreVolatile) lines.push('  The bodies differ only in JSON white space.');
  return `${lines.join('\n')}\n`;
}

function formatPatch(patch: TextPatch): string[] {
  if (patch.status === 'identical') return ['  identical'];
  if (patch.status !== 'changed') return [`  ${patch.reason ?? patch.status}`];
  const lines: string[] = [];
  for (const hunk of patch.hunks) {
    lines.push(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`);
    for (const line of hunk.lines) lines.push(escapeControl(line));
  }
  return lines;
}
