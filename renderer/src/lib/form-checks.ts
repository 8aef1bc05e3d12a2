import { displayUrlText, parseTargetUrl } from '../../../electron/core/target-url';

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

/**
 * Returns why `text` is not an http or https URL that the core sends to, naming the field
 * `label`, or null when it is one. The core's own check gives the problem, so both agree, and
 * the text is shown with its password masked.
 */
export function urlProblem(label: string, text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === '') return `${label} is empty. Enter a URL such as ${EXAMPLE_URL}.`;
  const result = parseTargetUrl(trimmed);
  return result.ok ? null : `${label} "${displayUrlText(trimmed)}" is invalid: ${result.problem ?? result.message}`;
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
