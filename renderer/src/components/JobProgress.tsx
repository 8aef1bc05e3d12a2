/** Renders a running job's progress bar and a Cancel button as a status. */
export function JobProgress({ label, fraction, onCancel }: { label: string; fraction: number; onCancel: () => void }) {
  const percent = Math.floor(fraction * 100);
  return (
    <p className="note" role="status">
      {label}… <progress max={100} value={percent} aria-label={label} /> {percent}%{' '}
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </p>
  );
}
