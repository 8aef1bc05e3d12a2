/** Another spelling of a stored key that differs only in surrounding whitespace, and the finding it explains. */
export interface WhitespaceVariant {
  key: string;
  /** Builds the finding for key number `n`: the difference and its fix, never the key. */
  finding(n: number): string;
}

/** Line endings a sender's copy of a secret often ends with, such as after reading it from a file. */
const LINE_ENDINGS = ['\n', '\r\n', '\r'] as const;

/** Names of whitespace characters as singular and plural nouns, with `\r\n` as one character. */
const WHITESPACE_NAMES: Record<string, readonly [string, string]> = {
  '\r\n': ['carriage return and line feed', 'carriage return and line feed pairs'],
  '\n': ['line feed', 'line feeds'],
  '\r': ['carriage return', 'carriage returns'],
  ' ': ['space', 'spaces'],
  '\t': ['tab', 'tabs'],
  '\u00a0': ['no-break space', 'no-break spaces'],
  '\ufeff': ['byte order mark', 'byte order marks'],
};

const ESCAPES: Record<string, string> = { '\r': '\\r', '\n': '\\n', '\t': '\\t', ' ': ' ' };

/** Writes whitespace so that it can be read in a message: `\r`, `\n`, `\t`, spaces as they are, others as `\uXXXX`. */
function escapeWhitespace(text: string): string {
  return [...text].map((char) => ESCAPES[char] ?? `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`).join('');
}

function whitespaceName(token: string, count: number): string {
  const code = (token.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  const [singular, plural] = WHITESPACE_NAMES[token] ?? [`whitespace character U+${code}`, `whitespace characters U+${code}`];
  return count === 1 ? `a ${singular}` : `${count} ${plural}`;
}

/**
 * Describes a run of whitespace, such as `a trailing carriage return and line feed ("\r\n")`
 * or `2 leading spaces ("  ")`. Without a position it reads `a line feed ("\n")`.
 */
function describeWhitespace(text: string, position?: 'leading' | 'trailing'): string {
  const groups: { token: string; count: number }[] = [];
  for (const token of text.match(/\r\n|\s/g) ?? []) {
    const last = groups.at(-1);
    if (last !== undefined && last.token === token) last.count += 1;
    else groups.push({ token, count: 1 });
  }

  const escaped = `("${escapeWhitespace(text)}")`;
  const only = groups.length === 1 ? groups[0] : undefined;
  if (only !== undefined) {
    const name = whitespaceName(only.token, only.count);
    if (position === undefined) return `${name} ${escaped}`;
    // "a line feed" becomes "a trailing line feed"; "2 spaces" becomes "2 trailing spaces".
    const [first, ...rest] = name.split(' ');
    return `${first} ${position} ${rest.join(' ')} ${escaped}`;
  }
  const names = groups.map((group) => whitespaceName(group.token, group.count)).join(', then ');
  return `${position === undefined ? '' : `${position} `}whitespace (${names}) ${escaped}`;
}

/** Splits a key into its leading whitespace, the text between, and its trailing whitespace. */
function splitWhitespace(key: string): { lead: string; core: string; trail: string } {
  const core = key.trim();
  const lead = key.slice(0, key.length - key.trimStart().length);
  return { lead, core, trail: key.slice(lead.length + core.length) };
}

/**
 * Yields spellings of `key` with other whitespace around it: without its leading or trailing
 * whitespace, or ending with a line feed, a carriage return and line feed, or a carriage
 * return. Each line ending replaces the key's own trailing whitespace or follows it. A key
 * that is only whitespace yields nothing.
 */
export function* whitespaceVariants(key: string): Generator<WhitespaceVariant> {
  const { lead, core, trail } = splitWhitespace(key);
  if (core === '') return;

  const leads = lead === '' ? [''] : ['', lead];
  // The sender's copy may end with a line ending instead of the stored key's whitespace, or after it.
  const trails = [...new Set(['', trail, ...LINE_ENDINGS, ...LINE_ENDINGS.map((ending) => `${trail}${ending}`)])];
  for (const newLead of leads) {
    for (const newTrail of trails) {
      if (newLead === lead && newTrail === trail) continue;
      yield { key: `${newLead}${core}${newTrail}`, finding: (n) => whitespaceFinding(n, lead, trail, newLead, newTrail) };
    }
  }
}

/** Explains how key `n`, with `lead` and `trail` around it, differs from the spelling the signature matches, and the fix. */
function whitespaceFinding(n: number, lead: string, trail: string, newLead: string, newTrail: string): string {
  const leadRemoved = lead !== '' && newLead === '';
  const removed = [...(leadRemoved ? [describeWhitespace(lead, 'leading')] : []), ...(trail !== '' && newTrail === '' ? [describeWhitespace(trail, 'trailing')] : [])];

  if (newTrail === trail || newTrail === '') {
    const plural = removed.length > 1 || /^\d/.test(removed[0] ?? '');
    const pronoun = plural ? 'them' : 'it';
    return `Key ${n} has ${removed.join(' and ')}: the signature matches the key without ${pronoun}, so remove ${pronoun} from the stored key.`;
  }

  const withoutLead = leadRemoved ? ` and without ${describeWhitespace(lead, 'leading')}` : '';
  const alsoLead = leadRemoved ? ', and remove the leading whitespace from the stored key' : '';
  if (trail === '') {
    return (
      `The signature matches key ${n} with ${describeWhitespace(newTrail, 'trailing')} added${withoutLead}: the sender's copy of the secret ` +
      `ends with it (often read from a file), so strip it there${alsoLead}.`
    );
  }
  return (
    `Key ${n} ends with ${describeWhitespace(trail)}, but the signature matches it ending with ${describeWhitespace(newTrail)} instead${withoutLead}: ` +
    `the two copies of the secret end differently, so strip the trailing whitespace from both the stored key and the sender's copy${alsoLead}.`
  );
}
