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

  const importFiles = async (list: FileList | null): Promise<void> => {
    if (list === null || list.length === 0) return;
    const files = await Promise.all([...list].map(async (file) => ({ name: file.name, data: new Uint8Array(await file.arrayBuffer()) })));
    try {
      const result = await api.invoke('import.run', { files });
      if (!result.ok) setMessage({ error: true, text: result.message });
      else setMessage({ error: false, text: `Imported ${result.imported} deliveries${result.renamed > 0 ? `, ${result.renamed} with a new id` : ''}.` });
    } catch (error) {
      setMessage({ error: true, text: `The import failed: ${(error as Error).message}` });
    } finally {
      if (input.current !== null) input.current.value = '';
    }
  };

  return (
    <span className="import-action">
      <button type="button" onClick={() => input.current?.click()}>
        Import…
      </button>
      <input ref={input} type="file" multiple hidden accept=".json,.body,.har,.ndjson" aria-label="Files to import" onChange={(event) => void importFiles(event.target.files)} />
      {message !== null && (
        <span className={message.error ? 'error' : 'notice'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </span>
      )}
    </span>
  );
}
