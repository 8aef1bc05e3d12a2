import type {
  DeliveryDetail,
  DiffRequest,
  DiffResult,
  ForwardRule,
  ForwardRulesResult,
  ReplayRequest,
  ReplayResult,
  SendCancelResult,
  TargetResponse,
  TestEventRequest,
  TestEventResult,
} from './contract';
import type { DiffSide } from './diff';
import type { DiffRunner } from './diff-runner';
import { findDiffWorkerScript, InlineDiffRunner, WorkerDiffRunner } from './diff-runner';
import type { ReceiverAddress } from './forward';
import { Forwarder } from './forward';
import type { ForwardRetryOptions } from './forward-retry';
import type { Logger } from './logger';
import { bodyNotStoredMessage } from './not-stored';
import type { PushHub } from './push-hub';
import { buildReplayRequest, sendReplay } from './replay';
import type { NewTargetResponse } from './replay-store';
import { TargetResponseStore } from './replay-store';
import type { Profile } from './signatures/types';
import type { KeyVault } from './signatures/verify';
import type { DeliveryStore } from './store';
import { USER_CANCEL } from './target-request';
import { parseTargetUrl } from './target-url';
import { sendTestEvent } from './test-events';

export interface ReplayServiceOptions {
  store: DeliveryStore;
  pushes: PushHub;
  logger: Logger;
  /** Returns the profiles and keys in force now; they change when the settings change. */
  signing: () => { profiles: readonly Profile[]; vault: KeyVault };
  /** Time allowed for each target exchange, in ms. */
  timeoutMs?: number;
  /** Returns the receiver's addresses, which forward rules may not target. */
  receiver?: () => ReceiverAddress;
  /** Backoff of forwards while their target cannot be reached, when not the default. */
  forwardRetry?: ForwardRetryOptions;
  /**
   * Compiled script of the diff thread, by default the one beside this module. With null, or
   * when running from source, comparisons run on the calling thread.
   */
  diffScript?: string | null;
}

/**
 * The core's compare, re-send, forward and test-event features behind the contract's
 * channels. Responses of targets are stored with their delivery and pushed to the UI.
 */
export class ReplayService {
  readonly responses: TargetResponseStore;
  readonly forwarder: Forwarder;
  readonly diffs: DiffRunner;
  private readonly replays = new SendsInFlight('re-send');
  private readonly testEvents = new SendsInFlight('test delivery');

  constructor(private readonly options: ReplayServiceOptions) {
    const diffScript = options.diffScript === undefined ? findDiffWorkerScript() : options.diffScript;
    this.diffs = diffScript === null ? new InlineDiffRunner() : new WorkerDiffRunner(diffScript);
    this.responses = new TargetResponseStore(options.store.database);
    this.forwarder = new Forwarder({
      store: options.store,
      responses: this.responses,
      logger: options.logger,
      onRecorded: (response) => this.publish(response),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.receiver === undefined ? {} : { receiver: options.receiver }),
      ...(options.forwardRetry === undefined ? {} : { retry: options.forwardRetry }),
    });
  }

  /**
   * Compares two stored deliveries, their decoded bodies when they had a Content-Encoding, on
   * a diff thread when one is available. Rejects with a DiffError naming both ids when the
   * comparison fails.
   */
  async diff(request: DiffRequest): Promise<DiffResult> {
    const sides: DiffSide[] = [];
    for (const id of [request.left, request.right]) {
      const delivery = this.options.store.get(id);
      if (delivery === null) return { ok: false, code: 'not-found', message: `Delivery ${id} was not found; it may have been deleted by retention.` };
      if (delivery.truncated) return { ok: false, code: 'truncated-body', message: `${bodyNotStoredMessage(id, delivery.truncatedReason)}, so it cannot be compared.` };
      sides.push(diffSideOf(delivery));
    }
    const [left, right] = sides as [DiffSide, DiffSide];
    return { ok: true, diff: await this.diffs.run(left, right, { ignoreVolatile: request.ignoreVolatile ?? false }) };
  }

  /** Re-sends a stored delivery to the URL the user gave and stores the target's response. */
  async replay(request: ReplayRequest): Promise<ReplayResult> {
    const delivery = this.options.store.get(request.id);
    if (delivery === null) return { ok: false, code: 'not-found', message: `Delivery ${request.id} was not found; it may have been deleted by retention.` };
    const target = parseTargetUrl(request.target);
    if (!target.ok) return { ok: false, code: 'invalid-target', message: target.message };

    const resign = request.resign === true ? { ...this.options.signing(), now: Date.now(), ...(request.profile === undefined ? {} : { profileName: request.profile }) } : undefined;
    const built = buildReplayRequest(delivery, target.url, request.edits ?? {}, resign);
    if (!built.ok) return built;

    const answer: NewTargetResponse = await this.replays.run(request.sendId, (signal) => sendReplay(delivery.id, 'replay', built, { ...this.sendOptions(), signal }));
    let stored: TargetResponse;
    try {
      stored = this.responses.add(answer);
    } catch (error) {
      // The delivery was deleted while the request was in flight: report the answer unstored.
      this.options.logger.warn('replay: storing the target response failed', { id: delivery.id, error: String(error) });
      return { ok: true, response: { ...answer, id: 0 } };
    }
    this.publish(stored);
    if (stored.error !== null) {
      const event = stored.status === null ? 'replay: target did not answer' : 'replay: target response did not finish';
      this.options.logger.warn(event, { id: delivery.id, target: stored.target, status: stored.status, error: stored.error.message });
    }
    return { ok: true, response: stored };
  }

  /** Stops a re-send that is waiting for its target; the re-send records an `aborted` error. */
  cancelReplay(sendId: string): SendCancelResult {
    return this.replays.cancel(sendId);
  }

  /** Returns the responses recorded for a delivery, oldest first. */
  responsesFor(id: string): TargetResponse[] {
    return this.responses.forDelivery(id);
  }

  async sendTestEvent(request: TestEventRequest): Promise<TestEventResult> {
    const nowNs = BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
    const result = await this.testEvents.run(request.sendId, (signal) => sendTestEvent(request, { ...this.options.signing(), nowNs }, { ...this.sendOptions(), signal }));
    if (!result.ok) this.options.logger.warn('test event: not sent', { kind: request.kind, code: result.code });
    return result;
  }

  /** Stops a test delivery that is waiting for its target. Its send then returns an `aborted` error. */
  cancelTestEvent(sendId: string): SendCancelResult {
    return this.testEvents.cancel(sendId);
  }

  getForwardRules(): ForwardRule[] {
    return this.forwarder.getRules();
  }

  setForwardRules(rules: ForwardRule[]): ForwardRulesResult {
    return this.forwarder.setRules(rules);
  }

  /** Cancels re-sends, test deliveries and forwarding in flight and stops the diff threads. Call it before the store closes. */
  async stop(): Promise<void> {
    this.replays.abortAll();
    this.testEvents.abortAll();
    await Promise.all([this.forwarder.stop(), this.diffs.close()]);
  }

  private publish(response: TargetResponse): void {
    const { headers: _headers, body: _body, ...summary } = response;
    this.options.pushes.publish('responses.recorded', summary);
  }

  private sendOptions(): { timeoutMs?: number } {
    return this.options.timeoutMs === undefined ? {} : { timeoutMs: this.options.timeoutMs };
  }
}

/** Sends of one kind that are waiting for their target, so that the user or `stop` can abort them. */
class SendsInFlight {
  private readonly all = new Set<AbortController>();
  /** The sends that have an id their caller chose, by that id. */
  private readonly byId = new Map<string, AbortController>();

  /** @param kind the kind of send that a not-found message names, such as "re-send". */
  constructor(private readonly kind: string) {}

  /** Runs `send` with a signal that `cancel(sendId)` aborts with USER_CANCEL and `abortAll` aborts. */
  async run<T>(sendId: string | undefined, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.all.add(controller);
    if (sendId !== undefined) this.byId.set(sendId, controller);
    try {
      return await send(controller.signal);
    } finally {
      this.all.delete(controller);
      // A later send may have reused the id, and then its entry stays.
      if (sendId !== undefined && this.byId.get(sendId) === controller) this.byId.delete(sendId);
    }
  }

  cancel(sendId: string): SendCancelResult {
    const controller = this.byId.get(sendId);
    if (controller === undefined) return { ok: false, code: 'not-found', message: `No ${this.kind} ${sendId} is waiting for its target; it may have finished already.` };
    controller.abort(USER_CANCEL);
    return { ok: true };
  }

  /** Aborts every send without USER_CANCEL, so their error messages state that Hooktray stopped. */
  abortAll(): void {
    for (const controller of this.all) controller.abort();
  }
}

/** The side of a comparison for a stored delivery: its decoded body when it had a Content-Encoding. */
export function diffSideOf(delivery: DeliveryDetail): DiffSide {
  return { label: delivery.id, headers: delivery.headers, body: delivery.decodedBody ?? delivery.body };
}
