import { useId, useRef, useState } from 'react';
import type { ExportFormat, ExportRequest, ExportResult, ExportSelection, HooktrayApi, SignatureHandling } from '../../../electron/core/contract';
import { DEFAULT_REDACTED_HEADERS } from '../../../electron/core/contract';
import type { SkipAdvice } from '../../../electron/core/export/skip-summary';
import { describeSkips } from '../../../electron/core/export/skip-summary';
import { ExportRunProgress, exportDestination, newExportId, useExportRuns } from './ExportRuns';
import { ModalDialog } from '../components/ModalDialog';
import { useFocusFollowsRun } from '../hooks/useFocusFollowsRun';
import { folderProblem, urlProblem } from '../lib/form-checks';

/** Formats in the order the dialog offers them; the contract's list is a runtime value the renderer does not import. */
const FORMATS: { value: ExportFormat; label: string }[] = [
  { value: 'fixture', label: 'Fixture folder (JSON + exact .body files)' },
  { value: 'har', label: 'HAR 1.2 file' },
  { value: 'curl', label: 'cURL script per delivery' },
  { value: 'snippet', label: 'Code snippet per delivery' },
  { value: 'ndjson', label: 'NDJSON file' },
];

const LANGUAGES = ['node:fetch', 'python:requests', 'go:native', 'ruby:native', 'php:guzzle', 'java:okhttp', 'csharp:httpclient', 'shell:httpie'];

/** Above this many files a browser download is impractical, so the dialog requests a folder instead. */
const MAX_DOWNLOADS = 20;

interface ExportDialogProps {
  api: HooktrayApi;
  /** The deliveries to export: selected ids, or filters over everything stored. */
  selection: ExportSelection;
  /** Opens the native folder picker in Electron; absent in browser mode. */
  chooseFolder?: () => Promise<string | null>;
  onClose: () => void;
}

/** Exports deliveries as fixtures, HAR, cURL, code snippets or NDJSON, to a folder or as downloads. */
export function ExportDialog({ api, selection, chooseFolder, onClose }: ExportDialogProps) {
  const [format, setFormat] = useState<ExportFormat>('fixture');
  const [language, setLanguage] = useState(LANGUAGES[0] as string);
  const [signatures, setSignatures] = useState<SignatureHandling>('keep');
  const [redact, setRedact] = useState(DEFAULT_REDACTED_HEADERS.join(', '));
  const [baseUrl, setBaseUrl] = useState('http://localhost:3000');
  const [folder, setFolder] = useState('');
  /**
   * True to let the export write over the files of an earlier export in the folder, which the
   * core otherwise rejects. It applies to the folder and format it was ticked for, so changing
   * either clears it.
   */
  const [replaceEarlier, setReplaceEarlier] = useState(false);
  const changeFolder = (next: string): void => {
    setFolder(next);
    if (next.trim() !== folder.trim()) setReplaceEarlier(false);
  };
  const changeFormat = (next: ExportFormat): void => {
    setFormat(next);
    if (next !== format) setReplaceEarlier(false);
  };
  const [exportId, setExportId] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  /** The field that the error message is about, which is marked invalid and described by the message. */
  const [invalidField, setInvalidField] = useState<'baseUrl' | 'folder' | null>(null);
  const baseUrlRef = useRef<HTMLInputElement>(null);
  const folderRef = useRef<HTMLInputElement>(null);
  const exportRef = useRef<HTMLButtonElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const messageId = useId();
  const fieldProps = (field: 'baseUrl' | 'folder') => ({
    'aria-invalid': invalidField === field || undefined,
    'aria-describedby': invalidField === field ? messageId : undefined,
  });

  const exportRuns = useExportRuns(api);
  // Progress pushes carry their export's id, so the bar follows this dialog's export only.
  const progress = exportRuns.runs.find((item) => item.exportId === exportId) ?? null;
  const otherRuns = exportRuns.runs.filter((item) => item.exportId !== exportId);
  useFocusFollowsRun(running, exportRef, cancelRef, running && progress !== null);

  const cancel = (id: string): void => {
    api.invoke('export.cancel', { exportId: id }).then(
      (result) => !result.ok && setMessage({ error: true, text: result.message }),
      (error: unknown) => setMessage({ error: true, text: `Cancelling the export failed: ${(error as Error).message}` }),
    );
  };

  /** Returns the first field whose text the core would reject, with the message, or null. */
  const fieldProblem = (): { field: 'baseUrl' | 'folder'; text: string } | null => {
    const usesBaseUrl = format === 'curl' || format === 'snippet' || format === 'har';
    const baseUrlText = usesBaseUrl ? urlProblem('Send to (base URL)', baseUrl) : null;
    if (baseUrlText !== null) return { field: 'baseUrl', text: baseUrlText };
    const folderText = folder.trim() === '' ? null : folderProblem('Folder', folder);
    return folderText === null ? null : { field: 'folder', text: folderText };
  };

  const run = async (): Promise<void> => {
    const problem = fieldProblem();
    setInvalidField(problem?.field ?? null);
    if (problem !== null) {
      setMessage({ error: true, text: problem.text });
      (problem.field === 'baseUrl' ? baseUrlRef : folderRef).current?.focus();
      return;
    }

    const id = newExportId();
    const request: ExportRequest = {
      ...selection,
      format,
      signatures,
      baseUrl,
      redactHeaders: redact.split(',').map((name) => name.trim()).filter((name) => name !== ''),
      ...(format === 'snippet' ? { language } : {}),
      // Downloads stop at the first file over the limit, not after the whole export has run.
      ...(folder.trim() === '' ? { maxFiles: MAX_DOWNLOADS } : { folder: folder.trim(), force: replaceEarlier }),
      exportId: id,
    };
    setRunning(true);
    setMessage(null);
    setExportId(id);
    try {
      const result = await api.invoke('export.run', request);
      if (result.ok && result.folder === null) {
        await download(result.files, (started, total) => setMessage({ error: false, text: `Downloading file ${started} of ${total}…` }));
      }
      setMessage(describeExport(result));
    } catch (error) {
      setMessage({ error: true, text: `The export failed: ${(error as Error).message}` });
    } finally {
      setRunning(false);
    }
  };

  const pickFolder = async (): Promise<void> => {
    const chosen = await chooseFolder?.();
    if (chosen !== null && chosen !== undefined) changeFolder(chosen);
  };

  const count = selection.ids?.length;
  return (
    <ModalDialog label="Export deliveries" onClose={onClose}>
      <div className="dialog-head">
        <h2>Export {count === undefined ? 'matching deliveries' : `${count} deliver${count === 1 ? 'y' : 'ies'}`}</h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>

      <fieldset>
        <legend>Format</legend>
        <label>
          Format
          <select value={format} onChange={(event) => changeFormat(event.target.value as ExportFormat)}>
            {FORMATS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        {format === 'snippet' && (
          <label>
            Language
            <select value={language} onChange={(event) => setLanguage(event.target.value)}>
              {LANGUAGES.map((option) => (
                <option key={option}>{option}</option>
              ))}
            </select>
          </label>
        )}
        {(format === 'curl' || format === 'snippet' || format === 'har') && (
          <label>
            Send to (base URL)
            <input ref={baseUrlRef} {...fieldProps('baseUrl')} value={baseUrl} onChange={(event) => setBaseUrl(event.target.value)} />
          </label>
        )}
      </fieldset>

      <fieldset>
        <legend>Headers</legend>
        <label>
          Redact these headers (comma-separated)
          <input value={redact} onChange={(event) => setRedact(event.target.value)} />
        </label>
        <label>
          Signature headers
          <select value={signatures} onChange={(event) => setSignatures(event.target.value as SignatureHandling)}>
            <option value="keep">Keep as received</option>
            <option value="redact">Replace with [redacted]</option>
            <option value="resign">Re-sign with the public test key</option>
          </select>
        </label>
      </fieldset>

      <fieldset>
        <legend>Destination</legend>
        <label>
          Folder (empty: download in the browser)
          <input
            ref={folderRef}
            {...fieldProps('folder')}
            value={folder}
            placeholder="/home/me/project/test/fixtures"
            onChange={(event) => changeFolder(event.target.value)}
          />
        </label>
        {chooseFolder !== undefined && (
          <button type="button" onClick={() => void pickFolder()}>
            Choose folder…
          </button>
        )}
        {folder.trim() !== '' && (
          <label className="checkbox">
            <input type="checkbox" checked={replaceEarlier} onChange={(event) => setReplaceEarlier(event.target.checked)} />
            Replace the files of an earlier export
          </label>
        )}
      </fieldset>

      {running && progress !== null && <ExportRunProgress run={progress} label="Export progress" onCancel={cancel} cancelRef={cancelRef} />}
      {otherRuns.length > 0 && (
        <section aria-label="Other running exports">
          <p className="hint">Also running, such as an export started before this page was reloaded:</p>
          {otherRuns.map((other) => (
            <ExportRunProgress key={other.exportId} run={other} label={`Progress of the export to ${exportDestination(other)}`} onCancel={cancel} />
          ))}
        </section>
      )}
      {exportRuns.error !== null && (
        <p className="error" role="alert">
          {exportRuns.error}
        </p>
      )}
      {message !== null && (
        <p id={messageId} className={message.error ? 'error' : 'notice'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
      <div className="dialog-actions">
        <button ref={exportRef} type="button" disabled={running} onClick={() => void run()}>
          {running ? 'Exporting…' : 'Export'}
        </button>
      </div>
    </ModalDialog>
  );
}

/** Advice for skipped deliveries in this dialog's words, which name its formats and fields. */
const DIALOG_SKIP_ADVICE: SkipAdvice = {
  'binary-body': 'Export those in the "cURL script per delivery" or "Fixture folder" format, which keep the body bytes.',
  'snippet-failed': 'Export those in the "cURL script per delivery" or "Fixture folder" format, which keep every header, or choose another Language.',
};

/** Returns the message for the outcome of an export, which names every reason a delivery was skipped. */
function describeExport(result: ExportResult): { error: boolean; text: string } {
  if (!result.ok) return { error: true, text: result.message };
  const destination = result.folder ?? 'downloads';
  const skipped = result.skipped.length === 0 ? '' : ` ${describeSkips(result.skipped, DIALOG_SKIP_ADVICE)}`;
  const warned = result.warnings.length === 0 ? '' : ` ${result.warnings[0]}`;
  const exported = `${result.exported} deliver${result.exported === 1 ? 'y' : 'ies'}`;
  return { error: false, text: `Exported ${exported} to ${destination}.${skipped}${warned}` };
}

/**
 * Wait between two browser downloads, in ms. Chromium 156 (Debian, headless) dropped every
 * download after the tenth when 20 links were clicked at once, and saved all 20 when the clicks
 * were 100 ms apart.
 */
const DOWNLOAD_SPACING_MS = 200;

/**
 * Saves each returned file through a temporary link, as a browser download, one at a time.
 * `onProgress` receives the number of the file started and the number of files.
 */
async function download(files: { name: string; data?: Uint8Array }[], onProgress: (started: number, total: number) => void): Promise<void> {
  const withData = files.filter((file) => file.data !== undefined);
  for (const [index, file] of withData.entries()) {
    if (index > 0) await new Promise((resolveWait) => setTimeout(resolveWait, DOWNLOAD_SPACING_MS));
    onProgress(index + 1, withData.length);

    const url = URL.createObjectURL(new Blob([file.data as Uint8Array<ArrayBuffer>]));
    const link = document.createElement('a');
    link.href = url;
    link.download = file.name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
