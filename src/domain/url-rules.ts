// URL rules for the `domain` stage: a label per document (encyclopedia, code, qa, news...) from the
// host and path of its URL. Rules are data (data/domains/url-rules.json, plus a pipeline's own),
// ordered, first match wins; hosts are matched on the parsed hostname label by label, never as a
// substring of the URL, so `notwikipedia.com.evil` is not Wikipedia.
import fs from 'node:fs';
import { z } from 'zod';
import { dataPath } from '../text/data-files.js';

/** the label when no rule matches (and what the classifier fallback may replace) */
export const OTHER = 'other';

/** the labels the built-in rules give; a pipeline's rules may add their own */
export const DOMAIN_LABELS = ['encyclopedia', 'reference', 'code', 'qa', 'forum', 'news', 'academic', 'government', 'shopping', 'blog', 'social', OTHER] as const;

const LABEL = /^[a-z][a-z0-9_]*$/;
// a host label may hold letters, digits, '-', '_' (seen in real hosts) and the wildcards '*' and '?'
const HOST_LABEL = /^(\*\*|[a-z0-9_*?-]+)$/;
const PATH_SEGMENT = /^[^/\s]+$/;

/** why a host pattern is malformed, or undefined when it is fine */
export function hostPatternProblem(pattern: string): string | undefined {
  const p = pattern.trim().toLowerCase().replace(/\.+$/, '');
  if (!p) return 'an empty host pattern';
  const labels = p.split('.');
  const bad = labels.find((l) => !HOST_LABEL.test(l));
  if (bad !== undefined) return `'${pattern}' is not a host pattern (label '${bad}'; a host is labels of letters, digits, '-', with '*', '?' or '**' as wildcards, no scheme, port or path)`;
  if (labels.every((l) => l === '**')) return `'${pattern}' matches every host`;
  if (labels.some((l, i) => l === '**' && labels[i + 1] === '**')) return `'${pattern}': '**.**' is the same as '**'`;
  return undefined;
}

/** why a path pattern is malformed, or undefined */
export function pathPatternProblem(pattern: string): string | undefined {
  const p = pattern.trim().replace(/^\^/, '');
  const segs = p.split('/').filter(Boolean);
  if (!segs.length) return `'${pattern}' names no path segment`;
  const bad = segs.find((s) => !PATH_SEGMENT.test(s));
  return bad !== undefined ? `'${pattern}': segment '${bad}' holds whitespace` : undefined;
}

/** One rule: it matches when a host pattern matches (if it has hosts) and a path pattern matches (if it has paths). */
export const UrlRuleSchema = z
  .object({
    /** the label the rule gives: snake_case */
    label: z.string().regex(LABEL, 'a label is snake_case: lower-case letters, digits, _'),
    /** `wikipedia.org` (itself and subdomains), or a glob over labels: `news.**`, `**.*.ac.??`, `*.fandom.com` */
    hosts: z.array(z.string().superRefine((s, ctx) => {
      const problem = hostPatternProblem(s);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })).min(1).optional(),
    /** path segments matched anywhere on '/' boundaries (`forum`, `showthread.php`); `^` anchors at the start (`^/t/*`) */
    paths: z.array(z.string().superRefine((s, ctx) => {
      const problem = pathPatternProblem(s);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })).min(1).optional(),
  })
  .strict()
  .refine((r) => r.hosts !== undefined || r.paths !== undefined, { message: 'a rule needs hosts, paths or both' });

export type UrlRule = z.output<typeof UrlRuleSchema>;

const RuleFile = z.object({ about: z.string().optional(), rules: z.array(UrlRuleSchema) }).strict();

let builtin: UrlRule[] | undefined;

/** the built-in rules, from data/domains/url-rules.json (read once) */
export function defaultRules(): UrlRule[] {
  if (builtin) return builtin;
  const file = dataPath('domains', 'url-rules.json');
  const parsed = RuleFile.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return (builtin = parsed.data.rules);
}

/** host and lower-cased, decoded path of a URL; undefined when it has no host (malformed, mailto:, empty) */
export interface UrlParts {
  /** lower case, no final dot; '' for an IP address (host rules never match one, path rules still do) */
  host: string;
  ip: boolean;
  /** path segments, lower case, percent-decoded where that is valid */
  segments: string[];
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

export function urlParts(url: string | undefined): UrlParts | undefined {
  if (typeof url !== 'string') return undefined;
  const raw = url.trim();
  if (!raw) return undefined;
  // mailto:, javascript:, data:... carry no host; `en.wikipedia.org:443/x` (a dot before the colon) is a host
  if (!SCHEME.test(raw) && /^[a-z][a-z0-9+-]*:/i.test(raw)) return undefined;
  let u: URL | undefined;
  try {
    u = new URL(SCHEME.test(raw) ? raw : raw.startsWith('//') ? `http:${raw}` : `http://${raw}`);
  } catch {
    return undefined;
  }
  let host = u.hostname.toLowerCase().replace(/\.+$/, '');
  if (!host) return undefined;
  const ip = host.startsWith('[') || /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
  if (ip) host = '';
  let path = u.pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // a stray '%': match the encoded form
  }
  return { host, ip, segments: path.toLowerCase().split('/').filter(Boolean) };
}

function globToRegExp(label: string): string {
  return label.replace(/[-]/g, '\\-').replace(/\*/g, '[^.]*').replace(/\?/g, '[^.]');
}

/** a glob host pattern as an anchored regular expression over the whole host */
function hostGlob(pattern: string): RegExp {
  const labels = pattern.split('.');
  let re = '';
  labels.forEach((l, i) => {
    if (l === '**') {
      re += i === 0 ? '(?:[^.]+\\.)*' : '(?:\\.[^.]+)*';
      return;
    }
    if (i > 0 && !(i === 1 && labels[0] === '**')) re += '\\.';
    // a whole-label '*' is one label, never an empty one
    re += l === '*' ? '[^.]+' : globToRegExp(l);
  });
  return new RegExp(`^${re}$`);
}

interface PathPattern {
  anchored: boolean;
  segments: Array<string | RegExp>;
}

function pathPattern(pattern: string): PathPattern {
  const p = pattern.trim();
  const anchored = p.startsWith('^');
  const segments = p
    .replace(/^\^/, '')
    .toLowerCase()
    .split('/')
    .filter(Boolean)
    .map((s) => (s.includes('*') ? new RegExp(`^${s.replace(/[.+?^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '.*')}$`) : s));
  return { anchored, segments };
}

function segmentsMatch(p: PathPattern, segs: string[]): boolean {
  const n = p.segments.length;
  const last = p.anchored ? 0 : segs.length - n;
  for (let start = 0; start <= last; start++) {
    let ok = true;
    for (let k = 0; k < n && ok; k++) {
      const want = p.segments[k]!;
      const got = segs[start + k];
      ok = got !== undefined && (typeof want === 'string' ? got === want : want.test(got));
    }
    if (ok) return true;
  }
  return false;
}

interface CompiledRule {
  label: string;
  /** plain domains: the host or one of its parent domains must be in here */
  domains?: Set<string>;
  globs?: RegExp[];
  hasHosts: boolean;
  paths?: PathPattern[];
}

function compile(rule: UrlRule): CompiledRule {
  const out: CompiledRule = { label: rule.label, hasHosts: rule.hosts !== undefined };
  for (const h of rule.hosts ?? []) {
    const p = h.trim().toLowerCase().replace(/\.+$/, '');
    if (/[*?]/.test(p)) (out.globs ??= []).push(hostGlob(p));
    else (out.domains ??= new Set()).add(p);
  }
  if (rule.paths) out.paths = rule.paths.map(pathPattern);
  return out;
}

/** `en.m.wikipedia.org` -> en.m.wikipedia.org, m.wikipedia.org, wikipedia.org, org */
function suffixesOf(host: string): string[] {
  const out = [host];
  for (let i = host.indexOf('.'); i >= 0; i = host.indexOf('.', i + 1)) out.push(host.slice(i + 1));
  return out;
}

export interface UrlVerdict {
  label: string;
  /** index of the matching rule in the classifier's list, -1 when none matched */
  rule: number;
}

/** Ordered URL rules, compiled once: the first rule that matches a URL gives its label. */
export class UrlClassifier {
  private readonly compiled: CompiledRule[];
  constructor(readonly rules: UrlRule[]) {
    this.compiled = rules.map(compile);
  }

  /** the rules a pipeline adds, tried before the built-in ones (unless `builtin` is false) */
  static withRules(extra: UrlRule[] = [], builtin = true): UrlClassifier {
    return new UrlClassifier([...extra, ...(builtin ? defaultRules() : [])]);
  }

  classify(url: string | undefined): UrlVerdict {
    const parts = urlParts(url);
    if (!parts) return { label: OTHER, rule: -1 };
    const suffixes = parts.host ? suffixesOf(parts.host) : [];
    // globs such as `news.**` see the host without a leading www (www.news.example is rare, www.blog.x is not)
    const globHost = parts.host.replace(/^www\d*\./, '');
    for (let i = 0; i < this.compiled.length; i++) {
      const r = this.compiled[i]!;
      if (r.hasHosts) {
        if (!parts.host) continue;
        const byDomain = r.domains !== undefined && suffixes.some((s) => r.domains!.has(s));
        if (!byDomain && !(r.globs?.some((g) => g.test(parts.host) || g.test(globHost)) ?? false)) continue;
      }
      if (r.paths && !r.paths.some((p) => segmentsMatch(p, parts.segments))) continue;
      return { label: r.label, rule: i };
    }
    return { label: OTHER, rule: -1 };
  }
}

let shared: UrlClassifier | undefined;

/** the label of a URL under the built-in rules */
export function domainOfUrl(url: string | undefined): string {
  shared ??= UrlClassifier.withRules();
  return shared.classify(url).label;
}
