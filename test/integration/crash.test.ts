import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { startListen, storedPaths, tempDir } from '../support/listen-process';

const TOTAL = 5_000;
const CONCURRENCY = 16;
/** Acknowledged requests after which the listener is killed, mid-stream. */
const KILL_AFTER = 1_500;

function postOnce(agent: http.Agent, url: URL, index: number): Promise<number> {
  const body = JSON.stringify({ index, padding: 'x'.repeat(index % 700) });
  return new Promise((resolve, reject) => {
    const request = http.request(
      { agent, host: url.hostname, port: url.port, method: 'POST', path: `/load/${index}`, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

describe('kill -9 during a stream of POSTs', () => {
  it('loses no acknowledged delivery', async () => {
    const dataDir = tempDir();
    const listen = await startListen(['--data-dir', dataDir]);
    const url = new URL(listen.localUrl);
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

    const acknowledged: number[] = [];
    let next = 0;
    let killed = false;
    const worker = async (): Promise<void> => {
      while (next < TOTAL) {
        const index = next++;
        try {
          const status = await postOnce(agent, url, index);
          if (status === 200) acknowledged.push(index);
        } catch {
          // Requests in flight when the process dies fail; they were never acknowledged.
        }
        if (!killed && acknowledged.length >= KILL_AFTER) {
          killed = true;
          listen.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    agent.destroy();
    await listen.stop();

    expect(killed).toBe(true);
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(acknowledged.length).toBeLessThan(TOTAL);

    const restarted = await startListen(['--data-dir', dataDir]);
    const restartedExit = await restarted.stop();
    expect(restartedExit, restarted.stderr()).toBe(0);

    const paths = await storedPaths(dataDir);
    const missing = acknowledged.filter((index) => !paths.has(`/load/${index}`));
    expect(missing).toEqual([]);
  });
});
