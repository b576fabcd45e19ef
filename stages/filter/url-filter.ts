// URL blocklist filter: drop documents whose URL is on a blocked domain (or a subdomain of one) or holds a
// blocked word, as DataTrove's URLFilter (url_filter.py) does with the UT1 adult list, the first step of
// RefinedWeb (Penedo et al. 2023) and FineWeb. Nothing is downloaded: give the lists you want.
import fs from 'node:fs';
import { z } from 'zod';
import { FatalError } from '../../src/core/errors.js';
import { defineFilter, type FilterVerdict } from '../../src/core/stage.js';

/** The options, as a pipeline's YAML gives them (the stage adds `annotate`). */
export const urlFilterOptions = z
  .object({
    /** domains whose pages are dropped, with every subdomain ("example.com" blocks "www.example.com") */
    blockedDomains: z.array(z.string().min(1)).default([]),
    /** words that drop a URL holding them as a whole word (URL split on non-alphanumerics, case-folded) */
    blockedWords: z.array(z.string().min(1)).default([]),
    /** strings that drop a URL containing them anywhere once non-alphanumerics are removed (DataTrove's banned_subwords) */
    blockedSubwords: z.array(z.string().min(1)).default([]),
    /**
     * a file of blocked domains, one per line, '#' comments: e.g. the "domains" file of a UT1 category
     * (https://dsi.ut-capitole.fr/blacklists/, the list DataTrove downloads); data/wordlists/url-blocklist.example.txt shows the format
     */
    blocklistFile: z.string().min(1).optional(),
  })
  .strict();

export type UrlFilterOptions = z.output<typeof urlFilterOptions>;

const NON_ALNUM = /[^a-z0-9]+/;
const normalizeWord = (w: string) => w.toLowerCase().replace(/[^a-z0-9]+/g, '');

/** the host of a URL, lower-cased, without user, port or final dot; '' when there is none */
export function urlHost(url: string): string {
  let rest = url.trim();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(rest);
  if (scheme) rest = rest.slice(scheme[0].length);
  else if (rest.startsWith('//')) rest = rest.slice(2);
  const end = rest.search(/[/?#\\]/);
  let host = end >= 0 ? rest.slice(0, end) : rest;
  const at = host.lastIndexOf('@');
  if (at >= 0) host = host.slice(at + 1);
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1).toLowerCase(); // IPv6
  host = host.replace(/:\d*$/, '').replace(/\.+$/, '');
  return host.toLowerCase();
}

/** the blocked domain `host` is, or is a subdomain of; undefined if none */
export function blockedDomainOf(host: string, domains: ReadonlySet<string>): string | undefined {
  if (!host) return undefined;
  for (let suffix = host; ; ) {
    if (domains.has(suffix)) return suffix;
    const dot = suffix.indexOf('.');
    if (dot < 0) return undefined;
    suffix = suffix.slice(dot + 1);
  }
}

/** domains of a blocklist file: one per line, blank lines and '#' comments skipped */
export function parseDomainList(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const d = line.trim().toLowerCase().replace(/\.+$/, '');
    if (d && !d.startsWith('#')) out.push(d);
  }
  return out;
}

interface Lists {
  domains: Set<string>;
  words: Set<string>;
  subwords: string[];
}

const listsByOptions = new WeakMap<object, Lists>();

function listsOf(o: UrlFilterOptions): Lists {
  let lists = listsByOptions.get(o);
  if (lists) return lists;
  const domains = new Set(o.blockedDomains.map((d) => d.trim().toLowerCase().replace(/\.+$/, '')));
  if (o.blocklistFile) {
    let text: string;
    try {
      text = fs.readFileSync(o.blocklistFile, 'utf8');
    } catch (e) {
      throw new FatalError(`url_filter: cannot read blocklistFile ${o.blocklistFile}: ${(e as Error).message}`, 'blocklistFile');
    }
    for (const d of parseDomainList(text)) domains.add(d);
  }
  lists = {
    domains,
    words: new Set(o.blockedWords.map(normalizeWord).filter(Boolean)),
    subwords: o.blockedSubwords.map(normalizeWord).filter(Boolean),
  };
  listsByOptions.set(o, lists);
  return lists;
}

export const urlFilter = defineFilter({
  name: 'url_filter',
  description: 'drop documents whose URL is on a blocked domain or subdomain, or holds a blocked word',
  options: urlFilterOptions,
  keep(doc, o, ctx): FilterVerdict {
    const lists = listsOf(o);
    const url = typeof doc.meta.url === 'string' ? doc.meta.url : '';
    if (!url) {
      // nothing to judge: kept, and counted so a run shows how many went unchecked
      ctx.stats.inc('no_url');
      return { keep: true, values: { host: null, blocked: null } };
    }
    const host = urlHost(url);
    const domain = blockedDomainOf(host, lists.domains);
    if (domain) return { keep: 'url_blocked_domain', values: { host, blocked: domain } };
    if (lists.words.size > 0) {
      for (const w of url.toLowerCase().split(NON_ALNUM)) {
        if (lists.words.has(w)) return { keep: 'url_blocked_word', values: { host, blocked: w } };
      }
    }
    if (lists.subwords.length > 0) {
      const normalized = normalizeWord(url);
      for (const w of lists.subwords) if (normalized.includes(w)) return { keep: 'url_blocked_subword', values: { host, blocked: w } };
    }
    return { keep: true, values: { host, blocked: null } };
  },
});
