import type { ExportSkip, ExportSkipCode } from '../contract';

/**
 * Advice for the deliveries skipped with each code, as one sentence in the words of one
 * interface: the command line names its options, the export dialog its fields.
 */
export type SkipAdvice = Partial<Record<ExportSkipCode, string>>;

/** Advice that fits every interface, because it names no option or field. */
const COMMON_ADVICE: SkipAdvice = {
  'body-contains-key': 'Remove the key from those deliveries, or export others.',
  'path-contains-key': 'Remove the key from those deliveries, or export others.',
  'output-contains-key': 'Remove the key from those deliveries, or export others.',
  'not-found': 'Retention may have deleted them since they were selected.',
};

/** Ids listed per reason; the rest are counted. */
export const MAX_LISTED_IDS = 5;

/**
 * Summarizes skipped deliveries by reason, in the order each reason first occurs, with the ids
 * of each group, such as "1 with a body that is not valid UTF-8 (01M…), 2 gzip-encoded (01M…,
 * 01M…)". Returns an empty string when nothing was skipped.
 */
export function describeSkipReasons(skipped: readonly ExportSkip[]): string {
  const groups = new Map<string, string[]>();
  for (const skip of skipped) {
    const ids = groups.get(skip.reason) ?? [];
    ids.push(skip.id);
    groups.set(skip.reason, ids);
  }
  return [...groups].map(([reason, ids]) => `${ids.length} ${reason} (${listIds(ids)})`).join(', ');
}

function listIds(ids: readonly string[]): string {
  const listed = ids.slice(0, MAX_LISTED_IDS).join(', ');
  return ids.length > MAX_LISTED_IDS ? `${listed} and ${ids.length - MAX_LISTED_IDS} more` : listed;
}

/**
 * Returns the advice for the codes among the skipped deliveries, once each and in the order
 * the codes first occur, with `advice` in the words of the interface that shows it.
 */
export function skipAdvice(skipped: readonly ExportSkip[], advice: SkipAdvice): string {
  const sentences = new Set<string>();
  for (const skip of skipped) {
    const sentence = advice[skip.code] ?? COMMON_ADVICE[skip.code];
    if (sentence !== undefined) sentences.add(sentence);
  }
  return [...sentences].join(' ');
}

/**
 * Describes the skipped deliveries of an export in one paragraph that starts with "Skipped N:"
 * and ends with the advice in the interface's words. Returns an empty string when nothing was skipped.
 */
export function describeSkips(skipped: readonly ExportSkip[], advice: SkipAdvice): string {
  if (skipped.length === 0) return '';
  const next = skipAdvice(skipped, advice);
  return `Skipped ${skipped.length}: ${describeSkipReasons(skipped)}.${next === '' ? '' : ` ${next}`}`;
}
