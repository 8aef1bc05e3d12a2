import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Receiver } from './receiver';
import { PROBE_PATH_PREFIX } from './receiver';

/** Header that makes localtunnel servers skip the reminder page they show to browsers. */
export const BYPASS_REMINDER_HEADER = 'bypass-tunnel-reminder';

export interface ProbeOptions {
  /** Public URL of the tunnel, such as `https://hooktray-abc123.loca.lt`. */
  publicUrl: string;
  /**
   * Origin to connect to instead of the public URL's host; the request still names the
   * public host in `Host`. Tests point it at a tunnel server on 127.0.0.1, because test
   * subdomains do not resolve.
   */
  probeOrigin?: string;
  timeoutMs: number;
}

export type ProbeResult = { ok: true } | { ok: false; code: 'probe-timeout' | 'probe-failed'; message: string };

/**
 * Sends one request through the public URL to the receiver's reserved probe path and
 * resolves `ok` once the receiver reports that nonce. The receiver never stores probes.
 */
export function sendProbe(receiver: Receiver, options: ProbeOptions): Promise<ProbeResult> {
  const nonce = randomBytes(12).toString('hex');
  const publicUrl = new URL(PROBE_PATH_PREFIX + nonce, options.publicUrl);
  const target = new URL(publicUrl.pathname, options.probeOrigin ?? publicUrl.origin);

  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    const onProbe = (received: string): void => {
      if (received === nonce) finish({ ok: true });
    };
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      receiver.off('probe', onProbe);
      // After a success the receiver's response may still be on its way back, so let it arrive.
      if (!result.ok) request.destroy();
      resolve(result);
    };

    receiver.on('probe', onProbe);
    const timer = setTimeout(() => {
      finish({ ok: false, code: 'probe-timeout', message: `The health probe through ${options.publicUrl} did not reach the receiver within ${options.timeoutMs} ms.` });
    }, options.timeoutMs);

    const send = target.protocol === 'https:' ? https.request : http.request;
    const request = send(target, {
      method: 'GET',
      headers: { Host: publicUrl.host, [BYPASS_REMINDER_HEADER]: '1', 'User-Agent': 'Hooktray tunnel probe' },
      agent: false,
    });
    request.on('response', (response) => {
      response.resume();
      // The receiver emits the nonce before it responds, so a response without it came from the tunnel server.
      finish({ ok: false, code: 'probe-failed', message: `The health probe through ${options.publicUrl} got HTTP ${response.statusCode} from the tunnel server instead of reaching the receiver.` });
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      finish({ ok: false, code: 'probe-failed', message: `The health probe through ${options.publicUrl} failed: ${error.code ?? error.message}.` });
    });
    request.end();
  });
}
