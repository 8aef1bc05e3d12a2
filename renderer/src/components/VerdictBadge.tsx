import type { Verdict } from '../../../electron/core/contract';

/** Renders the verdict's status as a coloured label, with the reason as its tooltip. */
export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  return (
    <span className={`badge verdict-${verdict.status}`} title={verdict.reason}>
      {verdict.status}
    </span>
  );
}
