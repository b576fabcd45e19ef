// Politeness per host: at most `maxInFlight` requests to one host at a time, and request starts to
// one host at least `delayMs` apart (robots.txt Crawl-delay raises a host's delay).

interface HostState {
  inFlight: number;
  nextAt: number;
  delayMs: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class HostGate {
  private readonly hosts = new Map<string, HostState>();
  constructor(
    private readonly delayMs: number,
    private readonly maxInFlight: number,
  ) {}

  private state(host: string): HostState {
    let s = this.hosts.get(host);
    if (!s) this.hosts.set(host, (s = { inFlight: 0, nextAt: 0, delayMs: this.delayMs }));
    return s;
  }

  /** raise one host's delay (robots.txt Crawl-delay); never lowers it below the crawl's delayMs */
  setDelay(host: string, delayMs: number): void {
    const s = this.state(host);
    s.delayMs = Math.max(this.delayMs, delayMs);
  }

  delayOf(host: string): number {
    return this.state(host).delayMs;
  }

  /** wait for a slot on `host`; call the returned function when the request is over */
  async acquire(host: string, signal?: AbortSignal): Promise<() => void> {
    const s = this.state(host);
    for (;;) {
      if (signal?.aborted) throw new Error('aborted');
      const now = Date.now();
      if (s.inFlight < this.maxInFlight && now >= s.nextAt) {
        s.inFlight++;
        s.nextAt = now + s.delayMs;
        let released = false;
        return () => {
          if (!released) s.inFlight--;
          released = true;
        };
      }
      await sleep(s.inFlight >= this.maxInFlight ? 5 : Math.max(1, Math.min(s.nextAt - now, 50)));
    }
  }
}
