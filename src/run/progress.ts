// Progress on a TTY (documents, bytes, docs/s, ETA), redrawn in place on stderr; silent when
// stderr is not a terminal or CI is set, so logs and CI output stay clean.

export interface Progress {
  /** bytes of all inputs, for the ETA */
  setTotalBytes(n: number): void;
  update(docs: number, bytes: number, label?: string): void;
  clear(): void;
  done(): void;
}

function human(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

export function formatProgress(docs: number, bytes: number, totalBytes: number, elapsedS: number, label = ''): string {
  const rate = elapsedS > 0 ? docs / elapsedS : 0;
  const bps = elapsedS > 0 ? bytes / elapsedS : 0;
  const frac = totalBytes > 0 ? Math.min(1, bytes / totalBytes) : 0;
  const eta = bps > 0 && totalBytes > 0 ? (totalBytes - bytes) / bps : NaN;
  const width = 20;
  const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
  return `[${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${docs} docs ${human(bytes)}/${totalBytes > 0 ? human(totalBytes) : '?'} ${rate.toFixed(0)} docs/s ${human(bps)}/s ETA ${duration(eta)}${label ? ' ' + label : ''}`;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr, enabled = Boolean(stream.isTTY) && !process.env.CI): Progress {
  let total = 0;
  const start = Date.now();
  let last = 0;
  let shown = false;
  const clear = () => {
    if (shown) stream.write('\r\x1b[2K');
    shown = false;
  };
  return {
    setTotalBytes: (n) => (total = n),
    update(docs, bytes, label) {
      if (!enabled) return;
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      const line = formatProgress(docs, bytes, total, (now - start) / 1000, label);
      stream.write('\r\x1b[2K' + line.slice(0, (stream.columns || 120) - 1));
      shown = true;
    },
    clear,
    done: clear,
  };
}

export { human as humanBytes };
