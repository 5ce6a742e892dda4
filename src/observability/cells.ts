import type { Metric, Registry } from 'prom-client';

/**
 * Counters and histograms for the per-request hot path. prom-client validates and hashes the label object on
 * every inc() and observe() (its `labels()` children too): at six observations per GraphQL request that was
 * most of what metrics cost (bench profile). Here a label tuple's cell is found once by a string key and then
 * bumped in place; prom-client's registry reads the cells at scrape time, so /metrics prints exactly what
 * prom-client's own Counter and Histogram would.
 */

/** prom-client's default histogram buckets (seconds). */
export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Labels = Record<string, string>;

interface ExportedValue {
  labels: Record<string, string | number>;
  sharedLabels?: Labels;
  value: number;
  metricName?: string;
}

/** The shape prom-client's registry prints (what its own metrics return from get()). */
interface ExportedMetric {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: ExportedValue[];
  aggregator: 'sum';
}

/** One level of the label tree: the next label's values, or (below the last label) the cell. */
type Level<Cell> = Map<string, Level<Cell> | Cell>;

abstract class Family<Cell> {
  private readonly tree: Level<Cell> = new Map();
  private readonly cells: { labels: Labels; cell: Cell }[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  /** The cell of one label tuple (values in `labelNames` order), made on first use. */
  protected cellOf(values: readonly string[]): Cell {
    // A map per label, walked value by value: no key is built (joining the values cost more than the lookups).
    let level = this.tree;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = level.get(values[i]!) as Level<Cell> | undefined;
      if (!next) level.set(values[i]!, (next = new Map()));
      level = next;
    }
    const key = last < 0 ? '' : values[last]!;
    const found = level.get(key) as Cell | undefined;
    if (found) return found;
    const labels: Labels = {};
    this.labelNames.forEach((n, i) => (labels[n] = values[i]!));
    const cell = this.newCell();
    this.cells.push({ labels, cell });
    level.set(key, cell);
    return cell;
  }

  protected abstract newCell(): Cell;
  protected abstract exported(labels: Labels, cell: Cell, out: ExportedValue[]): void;
  protected abstract readonly type: 'counter' | 'histogram';

  /** Called by prom-client's registry at scrape time. */
  get(): Promise<ExportedMetric> {
    const values: ExportedValue[] = [];
    for (const { labels, cell } of this.cells) this.exported(labels, cell, values);
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' });
  }

  register(registry: Registry): this {
    registry.registerMetric(this as unknown as Metric);
    return this;
  }
}

/** A counter whose label tuples are found by key instead of hashed per increment. */
export class FastCounter extends Family<{ value: number }> {
  protected readonly type = 'counter';

  inc(values: readonly string[], by = 1): void {
    this.cellOf(values).value += by;
  }

  protected newCell() {
    return { value: 0 };
  }

  protected exported(labels: Labels, cell: { value: number }, out: ExportedValue[]): void {
    out.push({ labels, value: cell.value });
  }
}

interface Buckets {
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  counts: number[];
  sum: number;
  count: number;
}

/** A histogram whose label tuples are found by key; a label-less one keeps its single cell at hand. */
export class FastHistogram extends Family<Buckets> {
  protected readonly type = 'histogram';
  private plain: Buckets | undefined;

  constructor(name: string, help: string, labelNames: readonly string[], readonly buckets: readonly number[] = DEFAULT_BUCKETS) {
    super(name, help, labelNames);
    // As prom-client does: a histogram without labels shows its zeros from the start.
    if (labelNames.length === 0) this.plain = this.cellOf([]);
  }

  observe(values: readonly string[], value: number): void {
    const cell = values.length === 0 ? (this.plain ??= this.cellOf(values)) : this.cellOf(values);
    const bounds = this.buckets;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    cell.counts[i]!++;
    cell.sum += value;
    cell.count++;
  }

  protected newCell(): Buckets {
    return { counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
  }

  protected exported(labels: Labels, cell: Buckets, out: ExportedValue[]): void {
    const bucket = `${this.name}_bucket`;
    let cumulative = 0;
    this.buckets.forEach((le, i) => {
      cumulative += cell.counts[i]!;
      out.push({ labels: { le }, sharedLabels: labels, value: cumulative, metricName: bucket });
    });
    out.push({ labels: { le: '+Inf' }, sharedLabels: labels, value: cell.count, metricName: bucket });
    out.push({ labels: {}, sharedLabels: labels, value: cell.sum, metricName: `${this.name}_sum` });
    out.push({ labels: {}, sharedLabels: labels, value: cell.count, metricName: `${this.name}_count` });
  }
}
