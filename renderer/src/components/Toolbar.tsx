import type { RefObject } from 'react';
import type { VerdictStatus } from '../../../electron/core/contract';
import { VERDICT_STATUSES } from '../../../electron/core/contract';
import { SEARCH_BODY_BYTES } from '../../../electron/core/store-search-index';

interface ToolbarProps {
  filterRef: RefObject<HTMLInputElement | null>;
  /** Moves the focus out of the filter after Escape cleared it. */
  onLeave: () => void;
  text: string;
  verdict: VerdictStatus | 'all';
  onText: (text: string) => void;
  onVerdict: (verdict: VerdictStatus | 'all') => void;
}

export function Toolbar({ filterRef, text, verdict, onText, onVerdict, onLeave }: ToolbarProps) {
  return (
    <div className="toolbar">
      <input
        ref={filterRef}
        type="search"
        aria-label="Filter"
        placeholder="Filter path, headers and body (press /)"
        aria-describedby="filter-hint"
        value={text}
        onChange={(event) => onText(event.target.value)}
        onKeyDown={(event) => {
          // Escape clears the filter and returns to the list, where the arrow keys move the selection.
          if (event.key === 'Escape') {
            onText('');
            onLeave();
          }
        }}
      />
      <span id="filter-hint" className="hint">
        Searches paths, headers and the first {SEARCH_BODY_BYTES / 1024} KiB of each text body
      </span>
      <label className="verdict-filter">
        Verdict
        <select value={verdict} onChange={(event) => onVerdict(event.target.value as VerdictStatus | 'all')}>
          <option value="all">all</option>
          {VERDICT_STATUSES.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
