import { useEffect, useId, useRef, useState } from 'react';
import type { HooktrayApi, ProfileSettings, SpikeTemplate, TestEventKind } from '../../../electron/core/contract';
import { ModalDialog } from '../components/ModalDialog';
import type { SendMessage } from './SendActions';
import { redirectLocation } from './response-view';
import type { TestField } from './send-checks';
import { testFieldProblem } from './send-checks';
import { responseMessage, SendActions, useSendCancel, useTargetCheck } from './SendActions';

interface SendTestDialogProps {
  api: HooktrayApi;
  /** Prefilled target: the public URL for an end-to-end check through the tunnel, else the local one. */
  defaultTarget: string;
  onClose: () => void;
}

/** Kinds in the order the dialog offers them; the contract's list is a runtime value the renderer does not import. */
const KINDS: { value: TestEventKind; label: string }[] = [
  { value: 'spike', label: 'Spike record_change' },
  { value: 'github', label: 'GitHub ping' },
  { value: 'stripe', label: 'Stripe payment_intent.succeeded' },
  { value: 'standard-webhooks', label: 'Standard Webhooks message' },
];

/** Returns the base URL plus the path prefix of the profile that signs this kind, so the delivery lands under it. */
function targetFor(base: string, kind: TestEventKind, profileName: string, profiles: readonly ProfileSettings[]): string {
  const profile = profileName.trim() === '' ? profiles.find((candidate) => candidate.scheme === kind) : profiles.find((candidate) => candidate.name === profileName.trim());
  const prefix = profile === undefined || profile.pathPrefix === '/' ? '' : profile.pathPrefix;
  return `${base.replace(/\/$/, '')}${prefix}`;
}

const splitList = (text: string): string[] => text.split(',').map((item) => item.trim()).filter((item) => item !== '');

/** Composes a signed test delivery and posts it to the public URL or a local target. */
export function SendTestDialog({ api, defaultTarget, onClose }: SendTestDialogProps) {
  const [kind, setKind] = useState<TestEventKind>('spike');
  const [target, setTarget] = useState(defaultTarget);
  /** Once the user types a target, changing the kind or profile no longer replaces it. */
  const [targetEdited, setTargetEdited] = useState(false);
  const [profiles, setProfiles] = useState<ProfileSettings[]>([]);
  const [profile, setProfile] = useState('');
  const [users, setUsers] = useState('hooktray-test-user');
  const [metrics, setMetrics] = useState('steps, distance');
  const [activityTypes, setActivityTypes] = useState('walking');
  const [provider, setProvider] = useState('garmin');
  const [windowStart, setWindowStart] = useState('');
  const [windowEnd, setWindowEnd] = useState('');
  const [sending, setSending] = useState(false);
  const [message, setMessage] = useState<SendMessage | null>(null);
  const messageId = useId();
  const sends = useSendCancel(api, 'testEvents.send.cancel', setMessage);
  const targetCheck = useTargetCheck(setMessage);
  /** The field that the error message is about, which is marked invalid, described by the message and focused. */
  const [invalidField, setInvalidField] = useState<TestField | null>(null);
  const fieldRefs = useRef<Partial<Record<TestField, HTMLInputElement | null>>>({});
  const fieldProps = (field: TestField) => ({
    ref: (element: HTMLInputElement | null) => {
      fieldRefs.current[field] = element;
    },
    'aria-invalid': invalidField === field || undefined,
    'aria-describedby': invalidField === field ? messageId : undefined,
  });

  useEffect(() => {
    let active = true;
    api.invoke('settings.get', undefined).then(
      (settings) => active && setProfiles(settings.profiles),
      () => undefined,
    );
    return () => {
      active = false;
    };
  }, [api]);

  useEffect(() => {
    if (!targetEdited) setTarget(targetFor(defaultTarget, kind, profile, profiles));
  }, [defaultTarget, kind, profile, profiles, targetEdited]);

  const send = async (): Promise<void> => {
    if (!targetCheck.check(target)) {
      setInvalidField(null);
      return;
    }

    const fields = {
      users: splitList(users),
      metrics: splitList(metrics),
      activityTypes: splitList(activityTypes),
      provider: provider.trim(),
      windowStart: windowStart.trim(),
      windowEnd: windowEnd.trim(),
    };
    const problem = testFieldProblem({ profile: profile.trim(), spike: kind === 'spike' ? fields : null });
    setInvalidField(problem?.field ?? null);
    if (problem !== null) {
      setMessage({ error: true, text: problem.message });
      fieldRefs.current[problem.field]?.focus();
      return;
    }

    // Empty window fields take the defaults: the last 24 hours, with nanoseconds.
    const spike: Partial<SpikeTemplate> = {
      users: fields.users,
      metrics: fields.metrics,
      activityTypes: fields.activityTypes,
      provider: fields.provider,
      ...(fields.windowStart === '' ? {} : { windowStart: fields.windowStart }),
      ...(fields.windowEnd === '' ? {} : { windowEnd: fields.windowEnd }),
    };
    setSending(true);
    setMessage(null);
    try {
      const options = { ...(profile.trim() === '' ? {} : { profile: profile.trim() }), ...(kind === 'spike' ? { spike } : {}) };
      const result = await sends.track((sendId) => api.invoke('testEvents.send', { kind, target, sendId, ...options }));
      if (!result.ok) setMessage({ error: true, text: result.message });
      else if (result.error !== null) setMessage({ error: true, text: result.error.message });
      else {
        const stored = result.deliveryId === null ? '' : `, stored as delivery ${result.deliveryId}`;
        const location = redirectLocation(result.location, target);
        setMessage(responseMessage(result.status, result.durationMs, `, signed with profile "${result.profile}"${stored}`, location));
      }
    } catch (error) {
      setMessage({ error: true, text: `Sending the test delivery failed: ${(error as Error).message}` });
    } finally {
      setSending(false);
    }
  };

  return (
    <ModalDialog label="Send test delivery" onClose={onClose}>
      <div className="dialog-head">
        <h2>Send test delivery</h2>
        <button type="button" onClick={onClose} aria-label="Close">
          ×
        </button>
      </div>
      <label>
        Kind
        <select value={kind} onChange={(event) => setKind(event.target.value as TestEventKind)}>
          {KINDS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Target URL
        <input
          ref={targetCheck.ref}
          type="url"
          aria-invalid={targetCheck.invalid || undefined}
          aria-describedby={targetCheck.invalid ? messageId : undefined}
          value={target}
          onChange={(event) => {
            setTarget(event.target.value);
            setTargetEdited(true);
          }}
          className="code"
        />
      </label>
      <label>
        Profile (empty: the first profile of this scheme)
        <input {...fieldProps('profile')} value={profile} onChange={(event) => setProfile(event.target.value)} />
      </label>
      {kind === 'spike' && (
        <fieldset>
          <legend>Spike template (comma-separated lists)</legend>
          <label>
            Users
            <input {...fieldProps('users')} value={users} onChange={(event) => setUsers(event.target.value)} />
          </label>
          <label>
            Metrics
            <input {...fieldProps('metrics')} value={metrics} onChange={(event) => setMetrics(event.target.value)} />
          </label>
          <label>
            Activity types
            <input {...fieldProps('activityTypes')} value={activityTypes} onChange={(event) => setActivityTypes(event.target.value)} />
          </label>
          <label>
            Provider
            <input {...fieldProps('provider')} value={provider} onChange={(event) => setProvider(event.target.value)} />
          </label>
          <label>
            Window start (RFC 3339; empty: 24 hours ago)
            <input {...fieldProps('windowStart')} value={windowStart} onChange={(event) => setWindowStart(event.target.value)} className="code" />
          </label>
          <label>
            Window end (RFC 3339; empty: now)
            <input {...fieldProps('windowEnd')} value={windowEnd} onChange={(event) => setWindowEnd(event.target.value)} className="code" />
          </label>
        </fieldset>
      )}
      <SendActions message={message} messageId={messageId} sending={sending} disabled={target.trim() === ''} onSend={() => void send()} onCancel={sends.cancel} />
    </ModalDialog>
  );
}
