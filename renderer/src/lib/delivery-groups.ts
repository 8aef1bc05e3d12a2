import type { DeliverySummary, VerdictChange } from '../../../electron/core/contract';

/**
 * A first delivery with its retries. Spike retries carry no delivery id, so the store marks
 * a delivery with the same method, path and body as a retry (`retryOf` names the first).
 */
export interface DeliveryGroup {
  /** Id of the first delivery, which every retry's `retryOf` names. */
  key: string;
  /** Known attempts, newest first; the list row shows the newest. */
  attempts: DeliverySummary[];
}

/**
 * The deliveries list as groups, newest activity first. It grows in two directions: pages
 * of older deliveries are appended as the user scrolls, and pushed new deliveries are put in
 * front. A retry joins its group, and a group with a new retry moves to the top. The object
 * is mutable for speed with 100,000 rows; `version` changes on every mutation.
 */
export class DeliveryGroups {
  readonly groups: DeliveryGroup[] = [];
  /** Deliveries held, which can exceed the number of groups. */
  deliveryCount = 0;
  version = 0;
  private readonly byKey = new Map<string, DeliveryGroup>();
  private readonly byId = new Map<string, DeliverySummary>();

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): DeliverySummary | undefined {
    return this.byId.get(id);
  }

  groupOf(key: string): DeliveryGroup | undefined {
    return this.byKey.get(key);
  }

  /** Adds a page of older deliveries, newest first as the store returns them. */
  appendOlder(items: readonly DeliverySummary[]): void {
    for (const item of items) {
      const placed = this.place(item);
      if (placed === null) continue;
      if (placed.created) this.groups.push(placed.group);
      else placed.group.attempts.push(item);
    }
    this.version += 1;
  }

  /** Adds pushed new deliveries, oldest first as pushes carry them. */
  prependNewer(items: readonly DeliverySummary[]): void {
    for (const item of items) {
      const placed = this.place(item);
      if (placed === null) continue;
      if (placed.created) {
        this.groups.unshift(placed.group);
        continue;
      }
      placed.group.attempts.unshift(item);
      const index = this.groups.indexOf(placed.group);
      if (index > 0) {
        this.groups.splice(index, 1);
        this.groups.unshift(placed.group);
      }
    }
    this.version += 1;
  }

  /**
   * Records a delivery and finds its group, creating one (holding just this delivery) for a
   * first attempt. Returns null for a delivery already held; the caller orders what it gets.
   */
  private place(item: DeliverySummary): { group: DeliveryGroup; created: boolean } | null {
    if (this.byId.has(item.id)) return null;
    this.remember(item);
    const key = item.retryOf ?? item.id;
    const group = this.byKey.get(key);
    if (group !== undefined) return { group, created: false };
    const created: DeliveryGroup = { key, attempts: [item] };
    this.byKey.set(key, created);
    return { group: created, created: true };
  }

  /** Applies changed verdicts to held deliveries; returns how many were held. */
  applyVerdicts(changes: readonly VerdictChange[]): number {
    let applied = 0;
    for (const change of changes) {
      const item = this.byId.get(change.id);
      if (item === undefined) continue;
      item.verdict = change.verdict;
      applied += 1;
    }
    if (applied > 0) this.version += 1;
    return applied;
  }

  private remember(item: DeliverySummary): void {
    this.byId.set(item.id, item);
    this.deliveryCount += 1;
  }
}
