import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { extract } from '../../stages/extract/extract.js';
import { collect, fromArray } from '../../src/core/iterables.js';
import { Counters } from '../../src/core/stats.js';
import { silentLogger } from '../../src/core/log.js';
import type { StageContext } from '../../src/core/stage.js';
import type { Doc } from '../../src/core/doc.js';
import { decodeHtml } from '../../src/io/charset.js';

function ctx() {
  const stats = new Counters();
  const dropped: Array<[string, string]> = [];
  const c: StageContext = {
    rank: 0, worldSize: 1, stats, log: silentLogger, signal: new AbortController().signal, runDir: '/tmp', stage: 'extract',
    drop: (d, r) => {
      stats.inc(`dropped.${r}`);
      dropped.push([d.id, r]);
    },
    recordError: () => {},
  };
  return { c, stats, dropped };
}

async function run(docs: Doc[], options = {}) {
  const { c, stats, dropped } = ctx();
  const out = await collect(extract.create(extract.options.parse(options)).run(fromArray(docs), c));
  return { out, stats: stats.toJSON(), dropped };
}


describe('extract', () => {
  it('keeps the article text of a real page with paragraph breaks, and fills title and lang', async () => {
    const html = fs.readFileSync('tests/fixtures/charset/munvnukovo.windows-1251.html');
    const decoded = decodeHtml(html).text;
    const { out } = await run([{ id: 'ru', text: '', html: decoded, meta: {} }]);
    const expected = fs.readFileSync('tests/fixtures/charset/munvnukovo.expected.txt', 'utf8').split('\n');
    expect(out).toHaveLength(1);
    const text = out[0]!.text;
    expect(text.split('\n\n').slice(0, 3)).toEqual(expected);
    expect(out[0]!.html).toBeUndefined();
    expect(out[0]!.meta).toMatchObject({ extractor: 'fast_content', html_lang: 'ru', title: expect.any(String) });
  });

  it('drops navigation, footer and scripts on a page with little text', async () => {
    const html = `<html><head><title>T</title><script>var x = 1;</script></head><body><nav><a href="/">Home</a> <a href="/a">About</a></nav>
      <div>Short note one.</div><div>Short note two.</div><footer>© footer</footer></body></html>`;
    const { out, stats } = await run([{ id: 'x', text: '', html, meta: {} }]);
    expect(out[0]!.text).toBe('Short note one.\nShort note two.');
    expect(out[0]!.meta.extractor).toBe('fast_page');
    expect(stats['fallback.fast_too_short']).toBe(1);
  });

  it('drops pages with no text, with a reason; passes plain text through', async () => {
    const { out, dropped } = await run([
      { id: 'empty', text: '', html: '<html><body><script>only()</script></body></html>', meta: {} },
      { id: 'nobody', text: '', html: '', meta: {} },
      { id: 'plain', text: 'already text', meta: {} },
    ]);
    expect(dropped).toEqual([['empty', 'no_text'], ['nobody', 'no_text']]);
    expect(out.map((d) => d.id)).toEqual(['plain']);
  });

  it('caps the HTML it parses and says so', async () => {
    const html = '<html><body>' + '<p>A sentence with several words in it.</p>'.repeat(20000) + '</body></html>';
    const { out, stats } = await run([{ id: 'big', text: '', html, meta: {} }], { maxHtmlChars: 100_000 });
    expect(out[0]!.meta.html_truncated).toBe(true);
    expect(stats.html_truncated).toBe(1);
    expect(out[0]!.text.length).toBeLessThan(100_000);
  });

  it('survives malformed and deeply nested HTML', async () => {
    const deep = '<div>'.repeat(10000) + 'deep text here' + '</div>'.repeat(10000);
    const broken = '<html><body><p>unclosed <b>bold <i>italic</p><table><tr><td>cell</table></body>';
    const { out } = await run([
      { id: 'deep', text: '', html: deep, meta: {} },
      { id: 'broken', text: '', html: broken, meta: {} },
    ]);
    expect(out.map((d) => d.id)).toEqual(['deep', 'broken']);
    expect(out[0]!.text).toContain('deep text here');
    expect(out[1]!.text).toContain('unclosed bold italic');
  });

  it('a page past its time budget is dropped with a reason and the next page goes on', async () => {
    const slow = '<html><body>' + '<div><p>Some words in a paragraph, with a link <a href="#">here</a>.</p></div>'.repeat(40000) + '</body></html>';
    const ok = '<html><body><article><p>' + 'A short and ordinary page with a sentence or two. '.repeat(10) + '</p></article></body></html>';
    const { out, dropped } = await run(
      [
        { id: 'slow', text: '', html: slow, meta: {} },
        { id: 'ok', text: '', html: ok, meta: {} },
      ],
      // the slow page takes 0.5-0.9 s here, the ordinary one 1-10 ms: 100 ms holds on a loaded machine
      { timeoutMs: 100, maxHtmlChars: 10_000_000 },
    );
    expect(dropped).toEqual([['slow', 'extract_timeout']]);
    expect(out.map((d) => d.id)).toEqual(['ok']);
  });

  // A tag with 500,000 attributes (6.9 MB, cut to maxHtmlChars mid-tag) took 74 s: the text dump parsed it
  // with parse5, quadratic in a tag's attributes; linkedom (Readability's DOM) is too. The budget holds:
  // the page is dropped (no text, or past its budget on a loaded machine) and the page after it is read.
  const attrs = Array.from({ length: 500_000 }, (_, i) => ` a${i}="x"`).join('');
  const article = `<article><p>${'Some ordinary words in a paragraph of an article. '.repeat(20)}</p></article>`;
  const huge = `<html><body><div${attrs}>hello</div>${article}</body></html>`;
  // under maxReadabilityChars, so Readability would be tried but for the attributes
  const wide = `<html><body><div${attrs.slice(0, 600_000)}></div></body></html>`;
  const ok = `<html><body>${article}</body></html>`;

  it('a page with a 500,000-attribute tag ends within its budget, and the page after it is read', async () => {
    const { out, dropped } = await run(
      [
        { id: 'huge', text: '', html: huge, meta: {} },
        { id: 'ok', text: '', html: ok, meta: {} },
      ],
      { timeoutMs: 2000 },
    );
    expect(dropped).toHaveLength(1);
    expect(dropped[0]![0]).toBe('huge');
    expect(['no_text', 'extract_timeout']).toContain(dropped[0]![1]);
    expect(out.map((d) => d.id)).toEqual(['ok']);
  });

  it('without a budget too, such pages cost linear time: Readability is skipped for the attributes, the text dump is linear', async () => {
    const { out, dropped, stats } = await run(
      [
        { id: 'huge', text: '', html: huge, meta: {} },
        { id: 'wide', text: '', html: wide, meta: {} },
        { id: 'ok', text: '', html: ok, meta: {} },
      ],
      { timeoutMs: 0 },
    );
    expect(dropped).toEqual([['huge', 'no_text'], ['wide', 'no_text']]);
    expect(out.map((d) => d.id)).toEqual(['ok']);
    expect(stats['fallback.fast_empty+readability_skipped_too_large']).toBe(1);
    expect(stats['fallback.fast_empty+readability_skipped_too_many_attributes']).toBe(1);
  });

  it('reads XHTML served as XML, with its namespace and CDATA', async () => {
    const xhtml = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="de" lang="de"><head><title>Seite</title>
<script type="text/javascript">//<![CDATA[
var a = 1 < 2;
//]]></script></head>
<body><div id="content"><h1>Überschrift</h1><p>${'Ein Absatz mit genug Wörtern, damit er als Inhalt zählt. '.repeat(6)}</p><br/><p>Zweiter Absatz.</p></div></body></html>`;
    const { out } = await run([{ id: 'x', text: '', html: xhtml, meta: {} }]);
    expect(out[0]!.text).toMatch(/^Überschrift\n\nEin Absatz mit genug Wörtern/);
    expect(out[0]!.text).toContain('Zweiter Absatz.');
    expect(out[0]!.text).not.toContain('var a');
    expect(out[0]!.meta).toMatchObject({ html_lang: 'de', title: 'Seite' });
  });
});
