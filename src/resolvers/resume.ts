// Offset pages when the listing changes between two page requests: an offset cursor also names the item it was on.
// The next read starts DRIFT items before the cursor's position and reads DRIFT items more past the page, finds
// that item and goes on right after it, so up to DRIFT items created or deleted before it repeat or skip nothing.
// The same one read, a few items longer: no extra call. Not found (deleted, or moved further): the plain offset.

/** How many items a listing may gain or lose before the cursor between two page requests without a repeat or skip. */
export const DRIFT = 5;

/** Where the read for a page at `start` starts, and how many items more than the page it asks for. */
export function resumeWindow(start: number, lastId: string | undefined): { from: number; extra: number } {
  if (lastId === undefined || start === 0) return { from: start, extra: 0 };
  const from = Math.max(0, start - DRIFT);
  return { from, extra: start - from + DRIFT };
}

/**
 * Where the page starts in `items` (read from `from`, `asked` of them): right after `lastId`, unless it is not there
 * or so far on that a full read holds fewer than `want` after it; then at the plain offset `start`.
 */
export function resumeIndex(items: readonly { id: string }[], lastId: string | undefined, start: number, from: number, want: number, asked: number): number {
  const plain = Math.min(start - from, items.length);
  const at = lastId === undefined ? -1 : items.findIndex((item) => item.id === lastId);
  if (at < 0 || (items.length >= asked && items.length - at - 1 < want)) return plain;
  return at + 1;
}
