import type { DeliverySummary, ForwardRule, ForwardRulesResult, TargetResponse } from './contract';
import type { Logger } from './logger';
import { buildReplayRequest, sendReplay } from './replay';
import type { NewTargetResponse, TargetResponseStore } from './replay-store';
import type { DeliveryStore } from './store';
import { parseTargetUrl, redactUrl } from './target-request';

export interface ForwarderOptions {
  store: Pick<DeliveryStore, 'get'>;
  responses: Pick<TargetResponseStore, 'add'>;
  logger: Logger;
  /** Called after each response is stored, such as to push it to the UI. */
  onRecorded?: (response: TargetResponse) => void;
  /** Time allowed for each target exchange, in ms. */
  timeoutMs?: number;
  /** Deliveries waiting to be forwarded beyond this many are recorded as `queue-full` and skipped. */
  maxQueue?: number;
}

interface QueuedDelivery {
  id: string;
  target: URL;
}

export const DEFAULT_FORWARD_QUEUE = 10_000;

/** Ids of unforwarded deliveries that the stop warning lists; the rest are only counted. */
export const MAX_LOGGED_IDS = 100;

/**
 * Sends every new delivery whose path matches a rule to that rule's target, one at a time
 * in arrival order, and stores each target's response or error with the delivery. It only
 * ever sends to the URLs in its rules; nothing in a delivery chooses where it goes.
 * Deliveries are queued by id and read back from the store when their turn comes, so a
 * backlog costs memory for ids only.
 */
export class Forwarder {
  private rules: { pathPrefix: string; target: URL }[] = [];
  private readonly queue: QueuedDelivery[] = [];
  private draining: Promise<void> | null = null;
  private readonly abort = new AbortController();
  private failureStreak = 0;
  /** Deliveries that stop() left unforwarded, in arrival order. */
  private readonly unsent: QueuedDelivery[] = [];

  constructor(private readonly options: ForwarderOptions) {}

  getRules(): ForwardRule[] {
    return this.rules.map((rule) => ({ pathPrefix: rule.pathPrefix, target: rule.target.href }));
  }

  /** Replaces the rules after checking them all; on any invalid rule nothing changes. */
  setRules(rules: readonly ForwardRule[]): ForwardRulesResult {
    const checked: { pathPrefix: string; target: URL }[] = [];
    for (const [index, rule] of rules.entries()) {
      if (!rule.pathPrefix.startsWith('/')) {
        return { ok: false, code: 'invalid-rule', field: `${index}.pathPrefix`, message: `Invalid path prefix "${rule.pathPrefix}" in forward rule ${index + 1}: it must start with "/".` };
      }
      const url = parseTargetUrl(rule.target);
      if (!url.ok) return { ok: false, code: 'invalid-rule', field: `${index}.target`, message: `Forward rule ${index + 1}: ${url.message}` };
      checked.push({ pathPrefix: rule.pathPrefix, target: url.url });
    }
    this.rules = checked;
    this.options.logger.info('forward: rules set', { rules: checked.map((rule) => ({ pathPrefix: rule.pathPrefix, target: redactUrl(rule.target) })) });
    return { ok: true, rules: this.getRules() };
  }

  /** Queues a stored delivery when a rule matches its path; the longest matching prefix wins. */
  enqueue(delivery: DeliverySummary): void {
    if (this.abort.signal.aborted) return;
    const target = this.targetFor(delivery.path);
    if (target === undefined) return;

    const maxQueue = this.options.maxQueue ?? DEFAULT_FORWARD_QUEUE;
    if (this.queue.length >= maxQueue) {
      this.record(skipped(delivery.id, target, 'queue-full', `${maxQueue} deliveries were already waiting to be forwarded to ${redactUrl(target)}, so this one was not sent; re-send it by hand.`));
      return;
    }
    this.queue.push({ id: delivery.id, target });
    // Start on a later turn so the receiver writes its answer to the provider first.
    if (this.draining === null) this.draining = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
  }

  /** Resolves once every queued delivery has been sent and recorded. */
  async idle(): Promise<void> {
    while (this.draining !== null) await this.draining;
  }

  /**
   * Stops forwarding: cancels the exchange in flight and drops the queue. Logs how many
   * deliveries were not forwarded, with the ids of the first MAX_LOGGED_IDS of them.
   */
  async stop(): Promise<void> {
    const dropped = this.queue.splice(0);
    this.abort.abort();
    // The cancelled exchange adds its delivery to `unsent` first, so the ids stay in arrival order.
    await this.idle();
    this.unsent.push(...dropped);
    if (this.unsent.length === 0) return;

    const ids = this.unsent.slice(0, MAX_LOGGED_IDS).map((item) => item.id);
    const targets = [...new Set(this.unsent.map((item) => redactUrl(item.target)))];
    this.options.logger.warn('forward: stopped with deliveries not forwarded; re-send each with "hooktray replay ID --to URL" or Re-send in the app', {
      notForwarded: this.unsent.length,
      targets,
      ids,
      ...(this.unsent.length > ids.length ? { idsNotListed: this.unsent.length - ids.length } : {}),
    });
  }

  /** Ids of the deliveries that stop() left unforwarded, in arrival order, or none before stop(). */
  get notForwarded(): readonly string[] {
    return this.unsent.map((item) => item.id);
  }

  private targetFor(path: string): URL | undefined {
    const pathname = path.split('?', 1)[0] ?? path;
    let best: { pathPrefix: string; target: URL } | undefined;
    for (const rule of this.rules) {
      if (pathname.startsWith(rule.pathPrefix) && (best === undefined || rule.pathPrefix.length > best.pathPrefix.length)) best = rule;
    }
    return best?.target;
  }

  private async drain(): Promise<void> {
    for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
      await this.forwardOne(next);
    }
    this.draining = null;
  }

  private async forwardOne(item: QueuedDelivery): Promise<void> {
    const delivery = this.options.store.get(item.id);
    if (delivery === null) {
      this.options.logger.warn('forward: delivery deleted before it was forwarded', { id: item.id });
      return;
    }
    const built = buildReplayRequest(delivery, item.target);
    if (!built.ok) {
      this.record(skipped(item.id, item.target, 'body-not-stored', built.message));
      return;
    }
    const response = await sendReplay(item.id, 'forward', built, {
      signal: this.abort.signal,
      ...(this.options.timeoutMs === undefined ? {} : { timeoutMs: this.options.timeoutMs }),
    });
    if (response.error?.code === 'aborted') this.unsent.push(item);
    this.reportOutcome(response);
    this.record(response);
  }

  private reportOutcome(response: NewTargetResponse): void {
    if (response.error === null) {
      if (this.failureStreak > 0) this.options.logger.info('forward: target answering again', { target: response.target, failedBefore: this.failureStreak });
      this.failureStreak = 0;
      return;
    }
    this.failureStreak += 1;
    // A target that is down fails every delivery: log the first failure and every hundredth.
    if (this.failureStreak === 1 || this.failureStreak % 100 === 0) {
      const event = response.status === null ? 'forward: target did not answer' : 'forward: target response did not finish';
      this.options.logger.warn(event, { id: response.deliveryId, target: response.target, status: response.status, failures: this.failureStreak, error: response.error.message });
    }
  }

  private record(response: NewTargetResponse): void {
    let stored: TargetResponse;
    try {
      stored = this.options.responses.add(response);
    } catch (error) {
      this.options.logger.error('forward: storing the target response failed', { id: response.deliveryId, error: String(error) });
      return;
    }
    this.options.onRecorded?.(stored);
  }
}

function skipped(deliveryId: string, target: URL, code: 'queue-full' | 'body-not-stored', message: string): NewTargetResponse {
  return {
    deliveryId,
    kind: 'forward',
    target: redactUrl(target),
    sentAt: new Date().toISOString(),
    durationMs: 0,
    status: null,
    headers: [],
    body: new Uint8Array(0),
    bodySize: 0,
    resigned: false,
    edited: false,
    error: { code, message },
  };
}
