// Which URLs a crawl follows: the seeds' hosts or domains (or anything), then include/exclude
// patterns. Patterns are globs (`*` any run of characters, `?` one) or /regular expressions/.

export type ScopeMode = 'host' | 'domain' | 'any';

export interface ScopeRules {
  scope: ScopeMode;
  include: string[];
  exclude: string[];
}

/** a pattern as a RegExp: `/.../flags` is a regex, anything else a glob over the whole URL */
export function patternToRegExp(pattern: string): RegExp {
  const re = /^\/(.+)\/([a-z]*)$/.exec(pattern);
  if (re) return new RegExp(re[1]!, re[2]);
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*+/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** a host's domain for scope purposes: the host without a leading `www.` (no public-suffix list) */
export function domainOf(host: string): string {
  return host.toLowerCase().replace(/^www\./, '');
}

/** normalized form used for de-duplication: no fragment, lower-case scheme and host (URL does that) */
export function normalizeUrl(raw: string, base?: string): string | undefined {
  try {
    const u = new URL(raw, base);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    u.hash = '';
    return u.href;
  } catch {
    return undefined;
  }
}

export class Scope {
  private readonly hosts = new Set<string>();
  private readonly domains = new Set<string>();
  private readonly include: RegExp[];
  private readonly exclude: RegExp[];
  constructor(
    private readonly rules: ScopeRules,
    seeds: string[],
  ) {
    for (const s of seeds) {
      const h = new URL(s).hostname.toLowerCase();
      this.hosts.add(h);
      this.domains.add(domainOf(h));
    }
    this.include = rules.include.map(patternToRegExp);
    this.exclude = rules.exclude.map(patternToRegExp);
  }

  /** true when the URL is in scope; `seed` URLs skip the include patterns (they are where we start) */
  allows(url: string, seed = false): boolean {
    let host: string;
    try {
      host = new URL(url).hostname.toLowerCase();
    } catch {
      return false;
    }
    if (this.rules.scope === 'host' && !this.hosts.has(host)) return false;
    if (this.rules.scope === 'domain') {
      const d = domainOf(host);
      let ok = false;
      for (const dom of this.domains) if (d === dom || d.endsWith('.' + dom)) ok = true;
      if (!ok) return false;
    }
    if (this.exclude.some((r) => r.test(url))) return false;
    if (!seed && this.include.length && !this.include.some((r) => r.test(url))) return false;
    return true;
  }
}
