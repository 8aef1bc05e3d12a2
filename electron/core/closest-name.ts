/**
 * Returns the candidate closest to a mistyped name, or null when none is close. Closeness is
 * the optimal string alignment distance: insertions, deletions, substitutions and swaps of two
 * neighbouring characters each count 1, compared without regard to case. A candidate is close
 * at a distance of at most a third of the name's length, and at least 1 and at most 3.
 */
export function closestName(name: string, candidates: Iterable<string>): string | null {
  const limit = Math.max(1, Math.min(3, Math.floor(name.length / 3)));
  let best: string | null = null;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Returns the optimal string alignment distance between two strings, counted in UTF-16 code units. */
export function editDistance(a: string, b: string): number {
  // distances[i * width + j] is the distance between the first i characters of a and the first j of b.
  const width = b.length + 1;
  const distances = new Array<number>((a.length + 1) * width).fill(0);
  const at = (i: number, j: number): number => distances[i * width + j] ?? 0;
  for (let i = 0; i <= a.length; i++) {
    for (let j = 0; j <= b.length; j++) {
      if (i === 0 || j === 0) {
        distances[i * width + j] = i + j;
        continue;
      }
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, at(i - 2, j - 2) + 1);
      distances[i * width + j] = distance;
    }
  }
  return at(a.length, b.length);
}
