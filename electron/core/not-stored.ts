import type { TruncatedReason } from './contract';

/*
 * Texts about a delivery whose body the receiver did not store, by its `truncatedReason`. The
 * terminal, the inspector and the verdict use them, so each cause reads the same everywhere. A
 * null reason reads as `body-limit`, the only cause before the reason was recorded.
 */

/** Returns the short note after a delivery's size: the cause and the status the sender got. */
export function notStoredNote(reason: TruncatedReason | null): string {
  if (reason === 'memory-cap') return 'busy receiving other deliveries: not stored, answered 503';
  return 'over the body limit: not stored, answered 413';
}

/** Returns the reason of the `unverified` verdict of a delivery whose body was not stored. */
export function notStoredVerdictReason(reason: TruncatedReason | null): string {
  if (reason === 'memory-cap') {
    return (
      'The body was not stored, so its signature cannot be checked. Hooktray already held its maximum of request bodies in memory, as when many large uploads ' +
      'arrive at once, and answered 503 with Retry-After. No setting needs to change, because a sender that retries sends the body again.'
    );
  }
  return 'The body was over the size limit and was not stored, so its signature cannot be checked: raise the body limit to capture it.';
}

/** Returns the body tab's text for a body that was not stored. `size` is the formatted byte count. */
export function notStoredBodyHint(reason: TruncatedReason | null, size: string): string {
  if (reason === 'memory-cap') {
    return (
      `The body (${size} bytes) was not stored, because Hooktray already held its maximum of request bodies in memory, as when many large uploads arrive at once. ` +
      'The sender got 503 with Retry-After. No setting needs to change, because a sender that retries sends the body again.'
    );
  }
  return `The body was over the size limit (${size} bytes), so it was not stored. Raise the limit with bodyLimit in the config file.`;
}

/**
 * Returns the start of a message saying why delivery `id`'s body was not stored. The caller
 * ends it with what cannot be done, as in "…, so it cannot be compared."
 */
export function bodyNotStoredMessage(id: string, reason: TruncatedReason | null): string {
  if (reason === 'memory-cap') return `Delivery ${id} arrived while Hooktray was busy receiving other deliveries, and its body was not stored`;
  return `Delivery ${id} was over the body limit and its body was not stored`;
}
