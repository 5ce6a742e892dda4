// Small numeric helpers: percentiles over raw samples (full float precision, unlike 1 ms histogram buckets).

export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(samples: number[]): number {
  return percentile(samples, 50);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const MB = 1024 * 1024;
