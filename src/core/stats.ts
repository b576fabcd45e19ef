// Counters that stages bump and that merge across files, tasks and ranks (DataTrove's PipelineStats).

export type CounterMap = Record<string, number>;

export class Counters {
  readonly values: CounterMap;
  constructor(initial: CounterMap = {}) {
    this.values = { ...initial };
  }
  inc(key: string, n = 1): void {
    this.values[key] = (this.values[key] ?? 0) + n;
  }
  get(key: string): number {
    return this.values[key] ?? 0;
  }
  /** sum of every counter whose key starts with `prefix.` */
  sumPrefix(prefix: string): number {
    let total = 0;
    for (const [k, v] of Object.entries(this.values)) if (k.startsWith(prefix + '.')) total += v;
    return total;
  }
  /** counters under `prefix.` with the prefix cut off */
  withPrefix(prefix: string): CounterMap {
    const out: CounterMap = {};
    for (const [k, v] of Object.entries(this.values)) if (k.startsWith(prefix + '.')) out[k.slice(prefix.length + 1)] = v;
    return out;
  }
  merge(other: Counters | CounterMap): this {
    const src = other instanceof Counters ? other.values : other;
    for (const [k, v] of Object.entries(src)) this.inc(k, v);
    return this;
  }
  toJSON(): CounterMap {
    return Object.fromEntries(Object.entries(this.values).sort(([a], [b]) => a.localeCompare(b)));
  }
}
