/**
 * Work on a body that can take seconds for a large one: decoding and indexing its lines,
 * pretty-printing JSON, finding text and formatting a hex dump for Copy. Each job runs on the
 * main thread for small inputs and in body.worker.ts for large ones, with the same code.
 */
import type { DecodedText } from './bytes';
import { decodeBody, hexDump } from './bytes';
import { findMatchOffsets, findPattern } from './find-text';
import type { PrettyResult } from './json-pretty';
import { prettyPrintJson } from './json-pretty';
import { indexLines } from './line-index';

export type BodyJob =
  | { kind: 'text'; bytes: Uint8Array }
  | { kind: 'pretty'; text: string }
  | { kind: 'find'; text: string; needle: string }
  | { kind: 'hex-dump'; bytes: Uint8Array };

/** A body decoded as UTF-8 with the offsets of its lines (see indexLines). */
export interface BodyText extends DecodedText {
  lineStarts: Uint32Array;
}

/** Start offsets of the matches in the searched text, ascending. */
export interface FoundMatches {
  offsets: Uint32Array;
}

export interface BodyJobResults {
  text: BodyText;
  pretty: PrettyResult;
  find: FoundMatches;
  'hex-dump': string;
}

export type BodyJobResult<J extends BodyJob = BodyJob> = BodyJobResults[J['kind']];

/**
 * Input size, in bytes or UTF-16 code units, up to which a job runs on the main thread. Beyond
 * it a Web Worker keeps the page responsive. Pretty-printing 13.6 MB took about 2 s in Node 20
 * on a busy 2-core machine, so 256 KiB takes about 40 ms (estimate).
 */
export const MAX_INLINE_JOB_SIZE = 256 * 1024;

export function jobSize(job: BodyJob): number {
  return job.kind === 'text' || job.kind === 'hex-dump' ? job.bytes.byteLength : job.text.length;
}

/** Runs a job; `onProgress` receives the share done so far, from 0 to 1. */
export function runBodyJob<J extends BodyJob>(job: J, onProgress?: (fraction: number) => void): BodyJobResult<J> {
  return runAnyJob(job, onProgress) as BodyJobResult<J>;
}

function runAnyJob(job: BodyJob, onProgress?: (fraction: number) => void): BodyJobResult {
  switch (job.kind) {
    case 'text': {
      const decoded = decodeBody(job.bytes);
      // Decoding is one native call, so progress starts once the lines are being indexed.
      return { ...decoded, lineStarts: indexLines(decoded.text, onProgress) };
    }
    case 'pretty':
      return prettyPrintJson(job.text, undefined, onProgress);
    case 'find': {
      const pattern = findPattern(job.needle);
      return { offsets: pattern === null ? new Uint32Array(0) : findMatchOffsets(job.text, pattern, onProgress) };
    }
    case 'hex-dump':
      return hexDump(job.bytes, onProgress);
  }
}

/** Returns the buffers in a result that a worker can transfer instead of copying. */
export function transferablesOf(result: BodyJobResult): ArrayBuffer[] {
  let arrays: Uint32Array[] = [];
  if (typeof result === 'string') arrays = [];
  else if ('lineStarts' in result) arrays = [result.lineStarts];
  else if ('offsets' in result) arrays = [result.offsets];
  else if (result.ok) arrays = [result.document.lineStarts, result.document.lineTokens, result.document.tokenStarts, result.document.tokenKinds];
  // Uint32Builder creates every array of a result on a plain ArrayBuffer, never a shared one.
  return arrays.map((array) => array.buffer as ArrayBuffer);
}
