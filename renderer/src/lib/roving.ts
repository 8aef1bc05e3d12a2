import type { KeyboardEvent } from 'react';

/**
 * Returns the option index an arrow, Home or End key moves to in a tab list or radio group, or
 * null for other keys. Arrows wrap around, as the WAI-ARIA tabs and radio group patterns have it.
 */
export function rovingIndex(key: string, index: number, count: number): number | null {
  if (key === 'ArrowRight' || key === 'ArrowDown') return (index + 1) % count;
  if (key === 'ArrowLeft' || key === 'ArrowUp') return (index - 1 + count) % count;
  if (key === 'Home') return 0;
  if (key === 'End') return count - 1;
  return null;
}

/**
 * Handles a key on option `index` of a group whose options are its element's button children:
 * chooses the option the key moves to and focuses it. The group is one Tab stop, so each option
 * gets tabIndex 0 when chosen and -1 otherwise.
 */
export function onRovingKey(event: KeyboardEvent<HTMLElement>, index: number, count: number, choose: (index: number) => void): void {
  const next = rovingIndex(event.key, index, count);
  if (next === null) return;
  event.preventDefault();
  choose(next);
  const option = event.currentTarget.parentElement?.querySelectorAll<HTMLElement>(':scope > button')[next];
  option?.focus();
}
