/**
 * Checks of the dialogs' URL and folder fields, run before a request goes to the core, so a
 * message names the field as the dialog labels it, the value typed and a value that works.
 * The core checks the same fields again and rejects what these let through.
 */

/** Examples of a URL and of a folder that the messages offer. */
const EXAMPLE_URL = 'http://localhost:3000/webhooks';
const EXAMPLE_FOLDER = '/home/me/project/test/fixtures';

/** Same form as the core's check of folder paths: POSIX, a Windows drive or a UNC share. */
const ABSOLUTE_PATH = /^(?:\/|[A-Za-z]:[\\/]|\\\\)/;
/** Text that reads as a host, optionally with a port and a path, but lacks the scheme, such as localhost:3000/hook. */
const HOST_WITHOUT_SCHEME = /^[A-Za-z0-9.-]+(?::[0-9]+)?(?:\/\S*)?$/;

/**
 * Returns why `text` is not an http or https URL, naming the field `label`, or null when it is
 * one. Text such as `localhost:3000/hook` gets the URL with `http://` as the fix.
 */
export function urlProblem(label: string, text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === '') return `${label} is empty. Enter a URL such as ${EXAMPLE_URL}.`;

  let url: URL | null = null;
  try {
    url = new URL(trimmed);
  } catch {
    url = null;
  }
  if (url !== null && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '') return null;

  // new URL() reads "localhost:3000" as the scheme "localhost:", so a missing scheme is checked before the scheme itself.
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(trimmed) && HOST_WITHOUT_SCHEME.test(trimmed)) {
    return `${label} "${trimmed}" does not start with http:// or https://. Enter http://${trimmed} for a local server.`;
  }
  if (url !== null && url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `${label} "${trimmed}" uses ${url.protocol.slice(0, -1)}, but only http and https are sent to. Enter a URL such as ${EXAMPLE_URL}.`;
  }
  return `${label} "${trimmed}" is not a valid URL. Enter one such as ${EXAMPLE_URL}.`;
}

/** Returns why `text` is not an absolute folder path, naming the field `label`, or null when it is one. */
export function folderProblem(label: string, text: string): string | null {
  const trimmed = text.trim();
  if (ABSOLUTE_PATH.test(trimmed)) return null;
  if (trimmed.startsWith('~')) {
    return `${label} "${trimmed}" starts with ~, which only a shell expands. Enter the full path, such as ${EXAMPLE_FOLDER}.`;
  }
  return `${label} "${trimmed}" is not an absolute path. Enter the full path, such as ${EXAMPLE_FOLDER}.`;
}
