import type { DeliveryDetail, DeliveryPage, DeliveryQuery, ExportSelection } from '../contract';

/** The store methods an export reads through; DeliveryStore provides them. */
export interface ExportSource {
  get(id: string): DeliveryDetail | null;
  list(query: DeliveryQuery): DeliveryPage;
}

const PAGE_SIZE = 1000;

/**
 * Returns the ids to export, oldest first: the listed ids in the given order, or every
 * stored delivery matching all the filters. The path prefix is compared with the path as
 * received, query included.
 */
export function selectIds(source: ExportSource, selection: ExportSelection): string[] {
  if (selection.ids !== undefined && selection.ids.length > 0) return [...new Set(selection.ids)];

  const query: DeliveryQuery = {
    limit: PAGE_SIZE,
    ...(selection.text === undefined ? {} : { text: selection.text }),
    ...(selection.from === undefined ? {} : { from: selection.from }),
    ...(selection.to === undefined ? {} : { to: selection.to }),
    ...(selection.verdicts === undefined ? {} : { verdicts: selection.verdicts }),
  };
  const ids: string[] = [];
  let before: string | null | undefined;
  do {
    const page = source.list(before === undefined || before === null ? query : { ...query, before });
    for (const item of page.items) {
      if (selection.pathPrefix === undefined || item.path.startsWith(selection.pathPrefix)) ids.push(item.id);
    }
    before = page.nextBefore;
  } while (before !== null);
  return ids.reverse();
}
