/**
 * Character rules and limits of the fields of re-send and test delivery requests. The
 * contract's schemas enforce them on every request, and the send dialogs check them before
 * sending, so that a dialog can name the line or field and the fix. This module imports
 * nothing, so the renderer bundles it without zod.
 */

/** One RFC 9110 token character, of which header names consist. */
const TOKEN_CHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;
/** The token characters in words, for messages. */
export const TOKEN_CHARS_TEXT = "letters, digits and !#$%&'*+-.^_`|~";
export const MAX_HEADER_NAME_LENGTH = 256;
/** A header name: 1 to MAX_HEADER_NAME_LENGTH token characters. */
export const HEADER_NAME_PATTERN = new RegExp(`^${TOKEN_CHAR.source}{1,${MAX_HEADER_NAME_LENGTH}}$`);

/** One character that node:http sends in a header value: tab, printable ASCII or Latin-1, so no line break and no "€". */
const HEADER_VALUE_CHAR = /[\t\x20-\x7e\x80-\xff]/;
export const MAX_HEADER_VALUE_LENGTH = 8192;
/** A header value made of header value characters. The schema limits its length to MAX_HEADER_VALUE_LENGTH separately. */
export const HEADER_VALUE_PATTERN = new RegExp(`^${HEADER_VALUE_CHAR.source}*$`);

/** Headers in the edits of one re-send. */
export const MAX_EDITED_HEADERS = 1000;

/** Characters of one word in a test delivery's template, such as a user id or a metric. */
export const MAX_TEMPLATE_WORD_LENGTH = 256;
/** Words in one list of a test delivery's template, such as its users. */
export const MAX_TEMPLATE_WORDS = 1000;
/** Characters of a template's window start or end. */
export const MAX_TEMPLATE_TIME_LENGTH = 64;
export const MAX_PROFILE_NAME_LENGTH = 64;

/** Returns the first character of `name` that a header name may not contain, or null when there is none. */
export function badHeaderNameChar(name: string): string | null {
  return [...name].find((char) => !TOKEN_CHAR.test(char)) ?? null;
}

/** Returns the first character of `value` that a header value may not contain, or null when there is none. */
export function badHeaderValueChar(value: string): string | null {
  return [...value].find((char) => !HEADER_VALUE_CHAR.test(char)) ?? null;
}
