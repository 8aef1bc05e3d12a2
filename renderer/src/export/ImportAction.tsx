import { useRef, useState } from 'react';
import { importRequestChars, MAX_REQUEST_CHARS } from '../../../electron/core/bridge/wire';
import type { HooktrayApi, ImportResult } from '../../../electron/core/contract';
import { usesBrowserBridge } from '../api/connect';
import { formatSize } from '../lib/format';

interface ImportActionProps {
  api: HooktrayApi;
}

/**
 * Imports the files of a fixture folder (pick all its files), a HAR file or an NDJSON file.
 * The core stores them as deliveries, which then arrive in the list like received ones.
 */
export function ImportAction({ api }: ImportActionProps) {
  const input = useRef<HTMLInputElement>(null);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const [running, setRunning] = useState(false);

  const importFiles = async (list: FileList | null): Promise<void> => {
    if (list === null || list.length === 0) return;
    const names = [...list].map((file) => file.name);
    const source = names.length === 1 ? names[0] : `${names.length} files`;
    // Checked before reading: reading and base64-encoding files of hundreds of MiB can crash the page.
    if (usesBrowserBridge() && importRequestChars([...list]) > MAX_REQUEST_CHARS) {
      const bytes = [...list].reduce((sum, file) => sum + file.size, 0);
      setMessage({ error: true, text: tooLargeMessage(source ?? '', list.length, bytes) });
      if (input.current !== null) input.current.value = '';
      return;
    }
    setRunning(true);
    setMessage({ error: false, text: `Importing ${source}…` });
    try {
      const files = await Promise.all([...list].map(async (file) => ({ name: file.name, data: new Uint8Array(await file.arrayBuffer()) })));
      const result = await api.invoke('import.run', { files });
      if (!result.ok) setMessage({ error: true, text: result.message });
      else setMessage({ error: false, text: importedMessage(result, source ?? '') });
    } catch (error) {
      setMessage({ error: true, text: `Importing ${source} failed: ${(error as Error).message}` });
    } finally {
      setRunning(false);
      if (input.current !== null) input.current.value = '';
    }
  };

  return (
    <>
      <button type="button" disabled={running} onClick={() => input.current?.click()}>
        {running ? 'Importing…' : 'Import…'}
      </button>
      <input ref={input} type="file" multiple hidden accept=".json,.body,.har,.ndjson" aria-label="Files to import" onChange={(event) => void importFiles(event.target.files)} />
      {message !== null && (
        // A line of its own below the buttons, which a long message would otherwise push apart.
        <p className={`import-message ${message.error ? 'error' : 'notice'}`}>
          <span role={message.error ? 'alert' : 'status'}>{message.text}</span>
          {!running && (
            <button type="button" aria-label="Dismiss the import message" onClick={() => setMessage(null)}>
              ×
            </button>
          )}
        </p>
      )}
    </>
  );
}

/** Returns the summary of a finished import: the count, why deliveries got a new id, and the first warning. */
function importedMessage(result: Extract<ImportResult, { ok: true }>, source: string): string {
  const count = result.imported === 1 ? '1 delivery' : `${result.imported} deliveries`;
  const notes: string[] = [];
  if (result.renamed > 0) notes.push(`${result.renamed} with a new id because ${result.renamed === 1 ? 'its id was' : 'their ids were'} already stored`);
  if (result.invalidIds > 0) notes.push(`${result.invalidIds} with a new id because ${result.invalidIds === 1 ? 'its exported id is' : 'their exported ids are'} not a valid ULID`);
  const text = `Imported ${count} from ${source}${notes.map((note) => `, ${note}`).join('')}.`;
  const [first] = result.warnings;
  if (first === undefined) return text;
  const others = result.warnings.length - 1;
  const more = others === 0 ? '' : ` (and ${others} more ${others === 1 ? 'warning' : 'warnings'})`;
  return `${text} Warning: ${first}${more}`;
}

/** Returns the message for files over the browser bridge's request limit, which base64 makes 4/3 of their size. */
function tooLargeMessage(source: string, fileCount: number, bytes: number): string {
  const maxBytes = Math.floor((MAX_REQUEST_CHARS * 3) / 4);
  return (
    `${source} ${fileCount === 1 ? 'is' : 'are'} ${formatSize(bytes)}, over the browser bridge's limit of about ${formatSize(maxBytes)} of files for one import. ` +
    'Import files that large with "hooktray import PATH", or select fewer files at once.'
  );
}
