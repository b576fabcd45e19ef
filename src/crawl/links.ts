// Links out of a fetched page (a[href], area[href], honouring <base href> and rel=nofollow,
// and <meta name=robots content=nofollow>), and URLs out of a sitemap (urlset or sitemapindex).
import { Parser } from 'htmlparser2';
import { normalizeUrl } from './scope.js';

export function extractLinks(html: string, pageUrl: string): string[] {
  let base = pageUrl;
  const raw: string[] = [];
  let nofollowPage = false;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'base' && attrs.href) base = normalizeUrl(attrs.href, pageUrl) ?? base;
        else if ((name === 'a' || name === 'area') && attrs.href && !/\bnofollow\b/i.test(attrs.rel ?? '')) raw.push(attrs.href);
        else if (name === 'meta' && /^robots$/i.test(attrs.name ?? '') && /\b(nofollow|none)\b/i.test(attrs.content ?? '')) nofollowPage = true;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  if (nofollowPage) return [];
  const out = new Set<string>();
  for (const href of raw) {
    const u = normalizeUrl(href.trim(), base);
    if (u) out.add(u);
  }
  return [...out];
}

export interface SitemapEntries {
  urls: string[];
  /** nested sitemaps of a sitemap index */
  sitemaps: string[];
}

/** <loc> entries of a sitemap; an index's entries are sitemaps to read in turn */
export function parseSitemap(xml: string, sitemapUrl: string): SitemapEntries {
  const locs: string[] = [];
  for (const m of xml.matchAll(/<loc>\s*(?:<!\[CDATA\[)?\s*([^<\]]+?)\s*(?:\]\]>)?\s*<\/loc>/gi)) {
    const u = normalizeUrl(m[1]!.replace(/&amp;/g, '&'), sitemapUrl);
    if (u) locs.push(u);
  }
  return /<sitemapindex[\s>]/i.test(xml) ? { urls: [], sitemaps: locs } : { urls: locs, sitemaps: [] };
}
