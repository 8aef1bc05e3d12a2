import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main, systemErrorMessage } from './cli';

let stdout: string[];
let stderr: string[];

beforeEach(() => {
  stdout = [];
  stderr = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs the CLI in this process and returns its exit code with what it wrote. */
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  stdout.length = 0;
  stderr.length = 0;
  const code = await main(argv);
  return { code, out: stdout.join(''), err: stderr.join('') };
}

describe('unknown options', () => {
  // One misspelled option per command, with the option it is closest to.
  const misspelled: [command: string, typed: string, meant: string][] = [
    ['listen', '--no-tunel', '--no-tunnel'],
    ['ui', '--recevier-port', '--receiver-port'],
    ['export', '--fromat', '--format'],
    ['import', '--confg', '--config'],
    ['replay', '--resgin', '--resign'],
    ['diff', '--jsno', '--json'],
    ['send', '--too', '--to'],
    ['verify', '--data-dri', '--data-dir'],
  ];

  for (const [command, typed, meant] of misspelled) {
    it(`suggests ${meant} in ${command}`, async () => {
      const result = await run(command, typed, 'x');
      expect(result.code).toBe(2);
      expect(result.err).toContain(`hooktray ${command}: Unknown option ${typed}: did you mean ${meant}?`);
      expect(result.err).toContain(`Run "hooktray ${command} --help" to list the options.`);
    });
  }

  it('suggests nothing when nothing is close', async () => {
    const result = await run('listen', '--verbose');
    expect(result.code).toBe(2);
    expect(result.err).toBe('hooktray listen: Unknown option --verbose. Run "hooktray listen --help" to list the options.\n');
  });

  it('reads -port as a mistyped --port', async () => {
    const result = await run('listen', '-port', '8080');
    expect(result.err).toContain('Unknown option -port: did you mean --port?');
  });
});

describe('option values', () => {
  it('checks a negative port as a port', async () => {
    const result = await run('listen', '--port', '-1');
    expect(result.code).toBe(2);
    expect(result.err).toBe('hooktray listen: Invalid --port "-1": use a whole number from 0 to 65535 (0 picks a free port).\n');
  });

  it('checks a negative receiver port', async () => {
    const result = await run('ui', '--receiver-port', '-1');
    expect(result.err).toContain('Invalid --receiver-port "-1": use a whole number from 0 to 65535');
  });

  it('checks a negative count', async () => {
    const result = await run('listen', '--rate-limit', '-3');
    expect(result.err).toContain('Invalid --rate-limit "-3"');
  });

  it('names a missing value', async () => {
    const result = await run('listen', '--port');
    expect(result.code).toBe(2);
    expect(result.err).toContain('--port needs a value: write --port VALUE');
    expect(result.err).toContain('Run "hooktray listen --help"');
  });

  it('names an option taken as a value', async () => {
    const result = await run('listen', '--port', '--json');
    expect(result.err).toContain('--port needs a value, but "--json" follows it');
  });

  it('rejects a value for a flag', async () => {
    const result = await run('listen', '--json=yes');
    expect(result.err).toContain('--json takes no value: write --json alone.');
  });

  it('names an unexpected argument', async () => {
    const result = await run('listen', 'extra');
    expect(result.code).toBe(2);
    expect(result.err).toContain('Unexpected argument "extra": this command takes options only.');
  });
});

describe('version and help', () => {
  const version = (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;

  for (const flag of ['--version', '-v']) {
    it(`prints the version for ${flag}`, async () => {
      const result = await run(flag);
      expect(result.code).toBe(0);
      expect(result.out).toBe(`${version}\n`);
    });
  }

  it('prints the usage for help', async () => {
    const help = await run('help');
    const flag = await run('--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: hooktray <command> [options]');
    expect(help.out).toBe(flag.out);
  });

  it('prints a command usage for help COMMAND', async () => {
    for (const command of ['listen', 'ui', 'export', 'import', 'replay', 'diff', 'send', 'verify']) {
      const help = await run('help', command);
      const flag = await run(command, '--help');
      expect(help.code, command).toBe(0);
      expect(help.out, command).toContain(`hooktray ${command}`);
      expect(help.out, command).toBe(flag.out);
    }
  });

  it('names where ui takes the tunnel settings', async () => {
    const result = await run('ui', '--help');
    expect(result.out).toContain('The tunnel host, subdomain, path token and rate limit are set in the UI\'s Settings dialog');
  });

  it('rejects help with two names', async () => {
    const result = await run('help', 'listen', 'ui');
    expect(result.code).toBe(2);
    expect(result.err).toContain('expected one command name, got 2');
  });
});

describe('unknown commands', () => {
  it('suggests the closest command', async () => {
    const result = await run('lsiten');
    expect(result.code).toBe(2);
    expect(result.err).toContain('hooktray: unknown command "lsiten": did you mean "listen"?');
  });

  it('suggests it after help', async () => {
    const result = await run('help', 'exprot');
    expect(result.code).toBe(2);
    expect(result.err).toContain('unknown command "exprot": did you mean "export"?');
  });
});

describe('a receiver port in use', () => {
  let dataDir: string;
  let busy: ReturnType<typeof createServer>;
  let port: number;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hooktray-busy-port-'));
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    port = (busy.address() as AddressInfo).port;
  });

  afterEach(async () => {
    await new Promise((resolve) => busy.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('names --port for listen', async () => {
    const result = await run('listen', '--port', String(port), '--no-tunnel', '--data-dir', dataDir);
    expect(result.code).toBe(2);
    expect(result.err).toContain(`hooktray listen: port ${port} on 127.0.0.1 is already in use: choose another --port, or 0 for any free one.`);
  });

  it('names --receiver-port for ui', async () => {
    const result = await run('ui', '--receiver-port', String(port), '--no-tunnel', '--data-dir', dataDir);
    expect(result.code).toBe(2);
    expect(result.err).toContain(`hooktray ui: port ${port} on 127.0.0.1 is already in use: choose another --receiver-port, or 0 for any free one.`);
  });
});

describe('systemErrorMessage ports', () => {
  it('names the option that chose the port', () => {
    const error = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', syscall: 'listen', address: '127.0.0.1', port: 8080 });
    expect(systemErrorMessage(error, '--receiver-port')).toBe('port 8080 on 127.0.0.1 is already in use: choose another --receiver-port, or 0 for any free one.');
  });
});
