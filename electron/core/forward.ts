import { randomUUID } from 'node:crypto';
import type { DeliverySummary, ForwardRule, ForwardRulesResult, HeaderPair, TargetResponse } from './contract';
import type { Logger } from './logger';
import type { ForwardRetryOptions } from './forward-retry';
import { DEFAULT_FORWARD_RETRY, RetrySchedule, waitUnlessAborted } from './forward-retry';
import type { BuildResult } from './replay';
import { buildReplayRequest, responseRecord, setHeader } from './replay';
import type { NewTargetResponse, TargetResponseStore } from './replay-store';
import { RepeatLog } from './repeat-log';
import type { DeliveryStore } from './store';
import { sendToTarget } from './target-request';
import type { TargetUrlResult } from './target-url';
import { parseTargetUrl, redactUrl } from './target-url';

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
  /** Returns the receiver's addresses, so that a rule cannot forward deliveries back to it. */
  receiver?: () => ReceiverAddress;
  /** Backoff while a target cannot be reached; DEFAULT_FORWARD_RETRY when absent. */
  retry?: ForwardRetryOptions;
}

/** The receiver's local and public URLs. */
export interface ReceiverAddress {
  /** Such as http://127.0.0.1:4100. */
  localUrl: string;
  /** The tunnel's URL, or null while there is none. */
  publicUrl: string | null;
}

interface QueuedDelivery {
  id: string;
  target: URL;
}

type BuiltRequest = Extract<BuildResult, { ok: true }>;

export const DEFAULT_FORWARD_QUEUE = 10_000;

/** Ids of unforwarded deliveries that the stop warning lists; the rest are only counted. */
export const MAX_LOGGED_IDS = 100;

/**
 * Header that each forward adds its forwarder's id to, as a comma-separated list. A delivery
 * that arrives with this forwarder's id in it was forwarded by this forwarder before, through
 * some other server back to this receiver, so forwarding it again would loop.
 */
export const FORWARDED_BY_HEADER = 'X-Hooktray-Forwarded-By';

/**
 * Sends every new delivery whose path matches a rule to that rule's target, one at a time
 * in arrival order, and stores each target's response or error with the delivery. It only
 * ever sends to the URLs in its rules; nothing in a delivery chooses where it goes.
 * Deliveries are queued by id and read back from the store when their turn comes, so a
 * backlog costs memory for ids only.
 *
 * While a target cannot be reached (no HTTP response at all, see TargetAnswer's
 * `unreachable`), the delivery stays at the head of the queue and is sent again with
 * backoff, so deliveries to any target wait behind it in order. Only its final outcome is
 * stored. After `retry.maxWaitMs` it is recorded as failed, and later deliveries to that
 * target get one try each until one of them gets an HTTP response.
 */
export class Forwarder {
  private rules: { pathPrefix: string; target: URL }[] = [];
  private readonly queue: QueuedDelivery[] = [];
  /** The delivery being sent, or waiting to be sent again, which is no longer in `queue`. */
  private current: QueuedDelivery | null = null;
  private readonly deletedLog = new RepeatLog();
  private draining: Promise<void> | null = null;
  private readonly abort = new AbortController();
  private failureStreak = 0;
  /** Deliveries that stop() dropped from the queue before they were sent, in arrival order. */
  private readonly unsent: QueuedDelivery[] = [];
  /** Deliveries whose exchange stop() cancelled, so their target may have received them. */
  private readonly cancelled: QueuedDelivery[] = [];
  /** Targets (URL href) whose retry window ran out, until one of their tries gets an HTTP response. */
  private readonly givenUp = new Set<string>();
  /** This forwarder's id in FORWARDED_BY_HEADER, random for each Forwarder. */
  private readonly id = randomUUID();
  private readonly loopLog = new RepeatLog();

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
      const url = this.checkTarget(rule.target);
      if (!url.ok) return { ok: false, code: 'invalid-rule', field: `${index}.target`, message: `Forward rule ${index + 1}: ${url.message}` };
      checked.push({ pathPrefix: rule.pathPrefix, target: url.url });
    }
    this.rules = checked;
    this.options.logger.info('forward: rules set', { rules: checked.map((rule) => ({ pathPrefix: rule.pathPrefix, target: redactUrl(rule.target) })) });
    return { ok: true, rules: this.getRules() };
  }

  /** Checks a forward target as parseTargetUrl does, and rejects one that is the receiver itself. */
  checkTarget(text: string): TargetUrlResult {
    const url = parseTargetUrl(text);
    if (!url.ok || this.options.receiver === undefined) return url;
    const problem = receiverLoopProblem(url.url, this.options.receiver());
    return problem === null ? url : { ok: false, message: problem };
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

  /** Resolves once every queued delivery has been sent and recorded, retries included. */
  async idle(): Promise<void> {
    while (this.draining !== null) await this.draining;
  }

  /**
   * Stops forwarding: cancels the exchange in flight or the wait for a retry, and drops the
   * queue. Logs the delivery whose exchange was cancelled, and how many deliveries were never
   * sent, with the ids of the first MAX_LOGGED_IDS of them.
   */
  async stop(): Promise<void> {
    this.unsent.push(...this.queue.splice(0));
    this.abort.abort();
    await this.idle();
    if (this.cancelled.length > 0) {
      this.options.logger.warn('forward: stopped while forwarding, so the target may already have these deliveries; check it before you re-send them', {
        targets: [...new Set(this.cancelled.map((item) => redactUrl(item.target)))],
        ids: this.cancelled.map((item) => item.id),
      });
    }
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

  /**
   * Ids of the deliveries that stop() dropped before they reached the target, in arrival order,
   * or none before stop(). A delivery waiting for a retry is among them when no try of it made
   * a connection.
   */
  get notForwarded(): readonly string[] {
    return this.unsent.map((item) => item.id);
  }

  /**
   * Ids of the deliveries whose exchange stop() cancelled, or none before stop(). Their target
   * may have received them. That includes a delivery waiting for a retry after a connection
   * closed before any response. The forwarder sends one delivery at a time, so there is at most one.
   */
  get inFlightAtStop(): readonly string[] {
    return this.cancelled.map((item) => item.id);
  }

  private targetFor(path: string): URL | undefined {
    const pathname = path.split('?', 1)[0] ?? path;
    let best: { pathPrefix: string; target: URL } | undefined;
    for (const rule of this.rules) {
      if (pathname.startsWith(rule.pathPrefix) && (best === undefined || rule.pathPrefix.length > best.pathPrefix.length)) best = rule;
    }
    return best?.target;
  }

  /** Returns the ids of the deliveries still to be forwarded, the one being sent first; retention keeps them. */
  waitingIds(): string[] {
    const ids = this.queue.map((item) => item.id);
    return this.current === null ? ids : [this.current.id, ...ids];
  }

  private async drain(): Promise<void> {
    for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
      this.current = next;
      try {
        await this.forwardOne(next);
      } finally {
        this.current = null;
      }
    }
    this.draining = null;
  }

  private async forwardOne(item: QueuedDelivery): Promise<void> {
    const delivery = this.options.store.get(item.id);
    if (delivery === null) {
      const count = this.deletedLog.next();
      if (count !== null) this.options.logger.warn('forward: delivery deleted before it was forwarded', { id: item.id, count });
      return;
    }
    const forwardedBy = joinHeader(delivery.headers, FORWARDED_BY_HEADER);
    if (forwardedBy !== undefined && forwardedBy.split(',').some((id) => id.trim() === this.id)) {
      const count = this.loopLog.next();
      if (count !== null) {
        // A loop brings back every delivery, so the first and every hundredth get a line.
        this.options.logger.warn('forward: delivery not forwarded again, because an earlier forward of this Hooktray sent it back here; forward to a server that does not send deliveries back to this receiver', {
          id: item.id,
          target: redactUrl(item.target),
          returned: count,
        });
      }
      return;
    }
    const built = buildReplayRequest(delivery, item.target);
    if (!built.ok) {
      this.record(skipped(item.id, item.target, 'body-not-stored', built.message));
      return;
    }
    await this.send(item, this.markForwarded(built, forwardedBy));
  }

  /**
   * Sends one delivery and records the outcome. While the target cannot be reached, sends it
   * again with backoff until the target responds, the retry window ends, or stop() is called.
   */
  private async send(item: QueuedDelivery, built: BuiltRequest): Promise<void> {
    const target = item.target.href;
    const retries = this.givenUp.has(target) ? null : new RetrySchedule(this.options.retry ?? DEFAULT_FORWARD_RETRY);
    // Set once a try got as far as a connection, so the target may have the delivery.
    let mayHaveArrived = false;
    for (;;) {
      const answer = await sendToTarget(built.request, {
        signal: this.abort.signal,
        ...(this.options.timeoutMs === undefined ? {} : { timeoutMs: this.options.timeoutMs }),
      });
      const response = responseRecord(item.id, 'forward', built, answer);
      if (answer.status !== null) this.givenUp.delete(target);
      if (answer.unreachable === null || retries === null) {
        this.finish(item, response, retries);
        return;
      }

      mayHaveArrived ||= answer.unreachable === 'connection-closed';
      const delayMs = retries.failed();
      if (retries.attempts === 1) {
        this.options.logger.warn('forward: target unreachable, so this delivery is retried and later ones wait behind it', {
          id: item.id,
          target: response.target,
          error: response.error?.message,
          maxWaitMs: (this.options.retry ?? DEFAULT_FORWARD_RETRY).maxWaitMs,
        });
      }
      if (delayMs === null) {
        this.giveUp(item, response, retries);
        return;
      }
      if (!(await waitUnlessAborted(delayMs, this.abort.signal))) {
        this.stopWaiting(item, response, retries, mayHaveArrived);
        return;
      }
    }
  }

  /** Records a response, or a failure that another try does not fix, and logs it. */
  private finish(item: QueuedDelivery, response: NewTargetResponse, retries: RetrySchedule | null): void {
    if (response.error?.code === 'aborted') this.cancelled.push(item);
    const recovered = retries !== null && retries.attempts > 0 && response.status !== null;
    if (recovered) {
      this.options.logger.info('forward: target responding again', { id: item.id, target: response.target, attempts: retries.attempts + 1, unreachableForMs: Math.round(retries.elapsedMs()) });
      this.failureStreak = 0;
    }
    // A response whose body did not finish is still a failure to report.
    if (!recovered || response.error !== null) this.reportOutcome(response);
    this.record(response);
  }

  /** Records the last failure of a delivery whose retry window ended, and sends later deliveries to its target once each. */
  private giveUp(item: QueuedDelivery, response: NewTargetResponse, retries: RetrySchedule): void {
    this.givenUp.add(item.target.href);
    // This failure gets its own line, so the failure count that reportOutcome logs starts after it.
    this.failureStreak += 1;
    this.options.logger.warn('forward: target still unreachable after the retry window, so the delivery is recorded as failed and later deliveries to it get one try each until it responds', {
      id: item.id,
      target: response.target,
      attempts: retries.attempts,
      unreachableForMs: Math.round(retries.elapsedMs()),
      error: response.error?.message,
    });
    this.record(withNote(response, `Forwarding tried ${countTimes(retries.attempts)} over ${formatSeconds(retries.elapsedMs())} s.`));
  }

  /**
   * Ends the wait for a retry when stop() is called. A delivery that no try connected with is
   * listed as not forwarded, at the head because it arrived before the queue. One that may have
   * reached the target is listed as cancelled, and its last failure is recorded.
   */
  private stopWaiting(item: QueuedDelivery, response: NewTargetResponse, retries: RetrySchedule, mayHaveArrived: boolean): void {
    if (!mayHaveArrived) {
      this.unsent.unshift(item);
      return;
    }
    this.cancelled.push(item);
    this.record(withNote(response, `Forwarding tried ${countTimes(retries.attempts)}, and Hooktray stopped before the next try.`));
  }

  /** Adds this forwarder's id to FORWARDED_BY_HEADER, after the ids of earlier forwarders. */
  private markForwarded(built: BuiltRequest, forwardedBy: string | undefined): BuiltRequest {
    const value = forwardedBy === undefined ? this.id : `${forwardedBy}, ${this.id}`;
    return { ...built, request: { ...built.request, headers: setHeader(built.request.headers, FORWARDED_BY_HEADER, value, 'last') } };
  }

  private reportOutcome(response: NewTargetResponse): void {
    if (response.error === null) {
      if (this.failureStreak > 0) this.options.logger.info('forward: target responding again', { target: response.target, failedBefore: this.failureStreak });
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

/** Returns the response with `note` added to its error message. */
function withNote(response: NewTargetResponse, note: string): NewTargetResponse {
  if (response.error === null) return response;
  return { ...response, error: { ...response.error, message: `${response.error.message} ${note}` } };
}

function countTimes(count: number): string {
  return count === 1 ? '1 time' : `${count} times`;
}

/** Returns ms as seconds with at most one decimal, such as 600 or 0.5. */
function formatSeconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

/** Returns every value of a header, joined with ", " as one list, or undefined without one. */
function joinHeader(headers: readonly HeaderPair[], name: string): string | undefined {
  const lowerName = name.toLowerCase();
  const values = headers.filter(([headerName]) => headerName.toLowerCase() === lowerName).map(([, value]) => value);
  return values.length === 0 ? undefined : values.join(', ');
}

/**
 * Returns why forwarding to `target` would send every delivery back to the receiver, or null.
 * The receiver listens on 127.0.0.1 only, so a loopback address or `localhost` with its port
 * reaches it, and so does any URL on the host of its public URL.
 */
export function receiverLoopProblem(target: URL, receiver: ReceiverAddress): string | null {
  const local = new URL(receiver.localUrl);
  const targetText = redactUrl(target);
  const loops = 'so every forwarded delivery would arrive again and be forwarded again without end';
  if (portOf(target) === portOf(local) && (isLoopbackHost(target.hostname) || target.hostname === local.hostname)) {
    return `The forward target ${targetText} is this receiver's own address (${local.host}), ${loops}. Forward to the URL of the server that handles the webhooks, which listens on another port.`;
  }
  if (receiver.publicUrl !== null && new URL(receiver.publicUrl).hostname === target.hostname) {
    return `The forward target ${targetText} is on this receiver's public URL ${receiver.publicUrl}, ${loops}. Forward to the local URL of the server that handles the webhooks, such as http://localhost:3000/webhooks.`;
  }
  return null;
}

function portOf(url: URL): string {
  if (url.port !== '') return url.port;
  return url.protocol === 'https:' ? '443' : '80';
}

/**
 * Returns true for a host name that connects to this machine's loopback interface: `localhost`
 * and names under it (RFC 6761), 127.0.0.0/8, 0.0.0.0, ::1, :: and IPv4-mapped forms of those.
 * The URL parser has already turned other spellings, such as 2130706433 or [::ffff:127.0.0.1], into these.
 */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '0.0.0.0' || /^127\.\d+\.\d+\.\d+$/.test(host)) return true;
  return host === '::1' || host === '::' || /^::ffff:(?:7f[0-9a-f]{2}:[0-9a-f]{1,4}|0:0)$/.test(host);
}
