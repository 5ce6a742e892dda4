// Offset pages when the listing changes between two page requests: an offset cursor also names the item it was on,
// and the item that followed it. The next read starts DRIFT items before the cursor's position and reads DRIFT items
// more past the page, finds that item and goes on right after it, so up to DRIFT items created or deleted before it
// repeat or skip nothing. The same one read, a few items longer: no extra call. Not found (deleted, renamed away, or
// moved further): the page starts at the item that followed it (the portal's "delete the last rows, then Next" skips
// nothing), and when that is gone too, at the item's own position, where what followed it moved up to, as a marker
// page after a deleted item does.

/** How many items a listing may gain or lose before the cursor between two page requests without a repeat or skip. */
export const DRIFT = 5;

/** Where the read for a page at `start` starts, and how many items more than the page it asks for. */
export function resumeWindow(start: number, lastId: string | undefined): { from: number; extra: number } {
  if (lastId === undefined || start === 0) return { from: start, extra: 0 };
  const from = Math.max(0, start - DRIFT);
  return { from, extra: start - from + DRIFT };
}

/**
 * Where the page starts in `items` (read from `from`, `asked` of them; `start` is the position after the cursor's
 * item): right after `lastId`; at `nextId` (the item that followed it) when it is not there; at the item's own
 * position when neither is; at the plain offset `start` when the one found is so far on that a full read holds fewer
 * than `want` from there, or the cursor names no item (an old `o:<n>` one).
 */
export function resumeIndex(items: readonly { id: string }[], lastId: string | undefined, start: number, from: number, want: number, asked: number, nextId?: string): number {
  const plain = Math.min(start - from, items.length);
  if (lastId === undefined) return plain;
  const at = items.findIndex((item) => item.id === lastId);
  const begin = at >= 0 ? at + 1 : nextId === undefined ? -1 : items.findIndex((item) => item.id === nextId);
  if (begin < 0) return Math.min(Math.max(start - 1 - from, 0), items.length);
  if (items.length >= asked && items.length - begin < want) return plain;
  return begin;
}
