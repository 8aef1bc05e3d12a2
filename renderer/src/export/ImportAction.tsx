import { useRef, useState } from 'react';
import type { HooktrayApi } from '../../../electron/core/contract';

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
    setRunning(true);
    setMessage({ error: false, text: `Importing ${source}…` });
    try {
      const files = await Promise.all([...list].map(async (file) => ({ name: file.name, data: new Uint8Array(await file.arrayBuffer()) })));
      const result = await api.invoke('import.run', { files });
      if (!result.ok) setMessage({ error: true, text: result.message });
      else {
        const count = result.imported === 1 ? '1 delivery' : `${result.imported} deliveries`;
        setMessage({ error: false, text: `Imported ${count} from ${source}${result.renamed > 0 ? `, ${result.renamed} with a new id` : ''}.` });
      }
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
