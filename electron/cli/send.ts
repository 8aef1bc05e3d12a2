import { resolve } from 'node:path';
import { closestName } from '../core/closest-name';
import type { SpikeTemplate, TestEventKind } from '../core/contract';
import { TEST_EVENT_KINDS } from '../core/contract';
import { rfc3339Problem } from '../core/spike-summary';
import { profileSchemeMismatch, sendTestEvent, TEST_EVENT_SCHEMES } from '../core/test-events';
import { parseCommandArgs, singleValue, UsageError } from './args';
import { escapeControl } from './format';
import { parseTimeout, redirectNote } from './replay';
import { loadSigning, signingProfile } from './stored';

export const SEND_USAGE = `Usage: hooktray send KIND --to URL --config FILE [options]

Composes a test delivery, signs it with the newest key of a profile from --config, posts it
to URL and prints the answer. KIND is one of: ${TEST_EVENT_KINDS.join(', ')}.
Spike deliveries are record_change arrays with nanosecond timestamps; the other kinds are a
GitHub ping, a Stripe payment_intent.succeeded event and a Standard Webhooks message.
Exits with 0 when the target answered 2xx, 1 otherwise.

Options:
  --to URL                the public URL, for an end-to-end check through the tunnel, or a local target
  --config FILE           JSON file with profiles and keys
  --profile NAME          sign with this profile (default: the first profile of the kind's scheme)
  --timeout MS            time allowed for the answer, in ms (default 30000)
Spike template (comma-separated lists):
  --users IDS             application user ids, one event each (default hooktray-test-user)
  --metrics NAMES         such as steps,distance (the default)
  --activity-types NAMES  such as walking (the default)
  --provider SLUG         such as garmin (the default)
  --window-start TIME     RFC 3339 start of the changed records (default: 24 hours ago)
  --window-end TIME       RFC 3339 end of the changed records (default: now)
  -h, --help              show this help`;

/** Runs `hooktray send`; resolves with the exit code. */
export async function runSend(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('send', {
    args: argv,
    options: {
      to: { type: 'string', multiple: true },
      config: { type: 'string' },
      profile: { type: 'string' },
      timeout: { type: 'string' },
      users: { type: 'string' },
      metrics: { type: 'string' },
      'activity-types': { type: 'string' },
      provider: { type: 'string' },
      'window-start': { type: 'string' },
      'window-end': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(`${SEND_USAGE}\n`);
    return 0;
  }

  const [kind, ...extra] = positionals;
  if (kind === undefined || extra.length > 0 || !(TEST_EVENT_KINDS as readonly string[]).includes(kind)) {
    const closest = kind === undefined || extra.length > 0 ? null : closestName(kind, TEST_EVENT_KINDS);
    const suggestion = closest === null ? '' : ` Did you mean "${closest}"?`;
    throw new UsageError(`Expected one kind of test delivery: ${TEST_EVENT_KINDS.join(', ')}${kind === undefined ? '' : `, not "${escapeControl(positionals.join(' '))}"`}.${suggestion}`);
  }
  const to = singleValue(values.to, '--to');
  if (to === undefined) throw new UsageError('Missing --to URL: give the public URL or a local target, such as http://localhost:3000/webhooks.');
  if (values.config === undefined) throw new UsageError('Missing --config FILE: the test delivery is signed with a key from a profile in that file.');
  checkTimeOption('window-start', values['window-start']);
  checkTimeOption('window-end', values['window-end']);
  const timeoutMs = parseTimeout(values.timeout);
  const { config, vault } = loadSigning(values.config);
  const scheme = TEST_EVENT_SCHEMES[kind as TestEventKind];
  const configFile = resolve(values.config);
  const profile = signingProfile({
    config,
    vault,
    configFile,
    name: values.profile,
    fallback: (profiles) => profiles.find((profile) => profile.scheme === scheme),
    fallbackMissing: `No profile in ${configFile} uses the ${scheme} scheme, which signs a ${kind} test delivery`,
  });
  if (profile.scheme !== scheme) throw new UsageError(profileSchemeMismatch(kind as TestEventKind, profile));

  const spike: Partial<SpikeTemplate> = {
    ...list('users', values.users),
    ...list('metrics', values.metrics),
    ...list('activityTypes', values['activity-types']),
    ...(values.provider === undefined ? {} : { provider: values.provider }),
    ...(values['window-start'] === undefined ? {} : { windowStart: values['window-start'] }),
    ...(values['window-end'] === undefined ? {} : { windowEnd: values['window-end'] }),
  };
  const nowNs = BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
  const result = await sendTestEvent(
    { kind: kind as TestEventKind, target: to, spike, ...(values.profile === undefined ? {} : { profile: values.profile }) },
    { profiles: config.profiles, vault, nowNs },
    { timeoutMs },
  );

  if (!result.ok) {
    process.stderr.write(`hooktray send: ${escapeControl(result.message)}\n`);
    return result.code === 'invalid-target' || result.code === 'invalid-template' ? 2 : 1;
  }
  if (result.error !== null) {
    process.stderr.write(`hooktray send: ${escapeControl(result.error.message)}\n`);
    return 1;
  }
  const stored = result.deliveryId === null ? '' : `; stored as delivery ${escapeControl(result.deliveryId)}`;
  process.stdout.write(`${result.status} in ${result.durationMs.toFixed(1)} ms, signed with profile "${result.profile}"${stored}\n`);
  const redirect = redirectNote(result.status, result.location, new URL(to));
  if (redirect !== null) process.stdout.write(`${redirect}\n`);
  return result.status !== null && result.status >= 200 && result.status < 300 ? 0 : 1;
}

/** Throws a UsageError naming the option when its value is not a valid RFC 3339 time. */
function checkTimeOption(option: string, value: string | undefined): void {
  if (value === undefined) return;
  const problem = rfc3339Problem(value);
  if (problem !== null) throw new UsageError(`Invalid --${option} "${escapeControl(value)}": ${problem}. Give an RFC 3339 time such as 2025-04-15T13:33:55.271331177Z.`);
}

function list<K extends 'users' | 'metrics' | 'activityTypes'>(key: K, text: string | undefined): Partial<Record<K, string[]>> {
  if (text === undefined) return {};
  const items = text.split(',').map((item) => item.trim()).filter((item) => item !== '');
  return { [key]: items } as Record<K, string[]>;
}
