import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { blockedDomainOf, urlFilter, urlFilterOptions, urlHost } from '../../stages/filter/url-filter.js';
import { FatalError } from '../../src/core/errors.js';
import { dataPath } from '../../src/text/data-files.js';
import type { Doc } from '../../src/core/doc.js';
import { fixture, runFilter } from './filter-harness.js';

// real pages and their URLs: 16thfleet.wikidot.com, sk.wikipedia.org, es.stackoverflow.com
const WIKIDOT = 'blj5uzvcoa4iybpd5o6kom5nir6ngmoj';
const WIKIPEDIA = 'h5piyxd5gm4trbdwvv4ih2pcmnyrar4t';
const STACKOVERFLOW = 'xxhi5tgaf3kefeecjiy5ez6xu67cuare';
const docs = () => [fixture(WIKIDOT), fixture(WIKIPEDIA), fixture(STACKOVERFLOW)];
const at = (id: string, url: string): Doc => ({ id, text: 'some text', meta: { url } });

describe('url_filter', () => {
  it('blocks nothing by default: no list ships', async () => {
    expect(urlFilterOptions.parse({})).toEqual({ blockedDomains: [], blockedWords: [], blockedSubwords: [] });
    expect((await runFilter(urlFilter, docs())).kept).toHaveLength(3);
  });

  it('a blocked domain blocks its subdomains, not look-alikes', async () => {
    const r = await runFilter(urlFilter, [...docs(), at('lookalike', 'https://notwikipedia.org/x')], { blockedDomains: ['wikipedia.org'] });
    expect(r.dropped).toEqual([`${WIKIPEDIA}:url_blocked_domain`]);
    expect(r.kept.map((d) => d.id)).toEqual([WIKIDOT, STACKOVERFLOW, 'lookalike']);
  });

  it('blocked words match whole words of the URL, case-folded', async () => {
    const r = await runFilter(urlFilter, [...docs(), at('part', 'https://example.com/overflowing')], { blockedWords: ['StackOverflow', 'overflow'] });
    expect(r.dropped).toEqual([`${STACKOVERFLOW}:url_blocked_word`]);
    const sub = await runFilter(urlFilter, [at('part', 'https://example.com/overflowing')], { blockedSubwords: ['overflow'] });
    expect(sub.dropped).toEqual(['part:url_blocked_subword']);
  });

  it('reads a blocklist file (UT1 format): the shipped example, and one of our own', async () => {
    const r = await runFilter(urlFilter, [at('a', 'http://www.blocked.example/page'), at('b', 'https://ads.example.com/x'), at('c', 'https://example.com/')], {
      blocklistFile: dataPath('wordlists', 'url-blocklist.example.txt'),
    });
    expect(r.dropped).toEqual(['a:url_blocked_domain', 'b:url_blocked_domain']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-url-'));
    const file = path.join(dir, 'domains');
    fs.writeFileSync(file, '# adult\nWIKIDOT.com\n\n  example.org  \n');
    const own = await runFilter(urlFilter, docs(), { blocklistFile: file });
    expect(own.dropped).toEqual([`${WIKIDOT}:url_blocked_domain`]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a missing blocklist file stops the run', async () => {
    await expect(runFilter(urlFilter, docs(), { blocklistFile: '/nonexistent/domains' })).rejects.toBeInstanceOf(FatalError);
  });

  it('documents without a URL pass, and are counted', async () => {
    const r = await runFilter(urlFilter, [{ id: 'n', text: 'x', meta: {} }, fixture(WIKIPEDIA)], { blockedDomains: ['wikipedia.org'] });
    expect(r.kept.map((d) => d.id)).toEqual(['n']);
    expect(r.stats.no_url).toBe(1);
  });

  it('host parsing', () => {
    expect(urlHost('16thfleet.wikidot.com/chatter:anewhome')).toBe('16thfleet.wikidot.com');
    expect(urlHost('http://user:pw@Example.COM.:8080/x?y#z')).toBe('example.com');
    expect(urlHost('https://[::1]:443/')).toBe('[::1]');
    expect(urlHost('')).toBe('');
    expect(blockedDomainOf('a.b.example.com', new Set(['example.com']))).toBe('example.com');
    expect(blockedDomainOf('example.com.au', new Set(['example.com']))).toBeUndefined();
  });
});
