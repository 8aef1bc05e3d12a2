import { execFile } from 'node:child_process';
import { CLI } from './listen-process';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI with `args` and resolves with its exit code and output. After 60 s the
 * process gets `killSignal`: SIGKILL also ends a process whose event loop is blocked.
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, killSignal: NodeJS.Signals = 'SIGTERM'): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: 60_000, killSignal, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      let code = 0;
      // A process killed by the timeout has no numeric exit code: report -1.
      if (error !== null) code = typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}
