import type { HeaderPair } from '../../../electron/core/contract';
import { revealInvisible } from '../lib/format';
import { CopyFailure, useCopy } from './CopyFeedback';

/**
 * Headers in received order with their original case; duplicates stay separate rows. Control
 * and invisible characters show escaped, as in the body view, and Copy keeps them as received.
 */
export function HeadersTab({ headers }: { headers: HeaderPair[] }) {
  const { outcome, copy } = useCopy();
  const text = headers.map(([name, value]) => `${name}: ${value}`).join('\n');
  return (
    <div>
      <div className="panel-actions">
        <span>{headers.length} headers, in received order</span>
        <button type="button" onClick={() => copy(text)}>
          {outcome === 'copied' ? 'Copied' : 'Copy headers'}
        </button>
        <CopyFailure outcome={outcome} subject="headers in the table" />
      </div>
      <table className="headers" aria-label="Headers">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Name</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {headers.map(([name, value], index) => (
            <tr key={index}>
              <td className="index">{index + 1}</td>
              <td className="header-name">{revealInvisible(name)}</td>
              <td className="header-value">{revealInvisible(value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
