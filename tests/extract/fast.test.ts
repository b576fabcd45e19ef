import { describe, expect, it } from 'vitest';
import { DEFAULT_FAST_OPTIONS, fastExtract, stripRawText } from '../../src/extract/fast.js';

const para = (s: string, n = 3) => `<p>${Array.from({ length: n }, () => s).join(' ')}</p>`;
const prose = 'The committee met on Tuesday to review the proposal, and after a long discussion it agreed to fund the project for two more years.';

describe('fastExtract', () => {
  it('keeps the article and leaves navigation, sidebar, footer and hidden text out', () => {
    const html = `<html lang="en"><head><title>T</title><meta property="article:published_time" content="2024-05-01"><link rel="canonical" href="https://x.example/a"></head>
      <body class="home ehf-footer"><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/about">About us</a></nav>
      <div class="content-sidebar-wrap"><article><h1>Funding renewed</h1>${para(prose)}${para(prose)}</article>
      <aside class="sidebar"><p>${prose}</p></aside></div>
      <div style="display:none"><p>${prose} hidden</p></div>
      <footer><p>© 2024 Example Corp. All rights reserved.</p></footer></body></html>`;
    const r = fastExtract(html);
    expect(r.strategy).toBe('content');
    expect(r.text.startsWith('Funding renewed\n\nThe committee met')).toBe(true);
    expect(r.text).not.toMatch(/Home|hidden|All rights/);
    expect(r.text.split(prose).length - 1).toBe(6);
    expect(r).toMatchObject({ title: 'T', lang: 'en', published: '2024-05-01', canonical: 'https://x.example/a' });
  });

  it('reads forum threads served inside <noscript>, and pages behind a stray CDATA marker', () => {
    const thread = `<noscript><div class="topic-body"><p>${prose}</p></div><div class="topic-body"><p>${prose} Agreed.</p></div></noscript>`;
    expect(fastExtract(`<html><body><div id="app"></div>${thread}</body></html>`).text).toContain('Agreed.');
    const cdata = `<html><body><![CDATA[<div>${para(prose, 2)}</div></body></html>`;
    expect(fastExtract(cdata).text).toContain('The committee met');
  });

  it('takes a listing whole: a page of linked headlines with teasers and little running text', () => {
    const items = Array.from({ length: 12 }, (_, i) => `<li><a href="/s${i}">Story number ${i} about the city budget</a> <span>Council votes today</span></li>`).join('');
    const html = `<html><body><nav><a href="/">Home</a></nav><main><h1>Latest news</h1><ul>${items}</ul></main><footer>Contact</footer></body></html>`;
    const r = fastExtract(html);
    expect(r.strategy).toBe('listing');
    expect(r.text).toContain('Story number 11 about the city budget');
    expect(r.text).not.toContain('Home');
  });

  it('drops trailing "related" headings and short lines under an article, and escaped markup', () => {
    const html = `<html><body><article>${para(prose)}${para(prose)}${para(prose)}${para(prose)}
      <p>&lt;div class="alert"&gt;Enable JavaScript&lt;/div&gt;</p><h3>Explore further</h3><p>Photo: Getty Images</p></article></body></html>`;
    const r = fastExtract(html);
    expect(r.text.endsWith('two more years.')).toBe(true);
    expect(r.text).not.toMatch(/Explore further|Getty|alert/);
  });

  it('leaves closed dialogs out, and keeps a <nav> mega-menu out however much text it holds', () => {
    const menu = Array.from({ length: 60 }, (_, i) => `<dropdown-item href="/c${i}">Category number ${i} of guitars</dropdown-item>`).join(' ');
    const html = `<html><body><nav class="site-nav"><div>${menu}</div></nav>
      <main><h1>Wool Runner</h1><p>${prose}</p><p>Soft merino wool keeps your feet dry and warm on long walks.</p></main>
      <div role="dialog" class="modal"><h2>Privacy policy</h2>${para(prose, 8)}</div></body></html>`;
    const r = fastExtract(html);
    expect(r.text).toContain('Soft merino wool');
    expect(r.text).not.toMatch(/Category number|Privacy policy/);
  });

  it('widens to the sibling sections of a page whose content is split (a product description and its specs)', () => {
    const html = `<html><body><nav><a href="/">Home</a></nav><div class="product">
      <section><h2>Description</h2><p>${prose}</p><p>${prose}</p></section>
      <section><h2>Details</h2><p>The frame is made of aluminium and weighs just under two kilograms, with a lifetime warranty.</p>
      <p>It folds flat in seconds, so that it fits in the boot of a small car or under a bed.</p></section></div>
      <footer><a href="/a">About</a> <a href="/b">Contact</a></footer></body></html>`;
    const r = fastExtract(html);
    expect(r.text).toContain('weighs just under two kilograms');
    expect(r.text).toContain('The committee met');
    expect(r.text).not.toMatch(/Home|About/);
  });

  it('drops comments and customer reviews under an article, keeps a thread made of comments', () => {
    const comment = (s: string) => `<div class="comment"><p>${s} I found this very helpful and will try it at home this weekend.</p></div>`;
    const article = `<html><body><article><h1>Funding renewed</h1>${para(prose)}${para(prose)}${para(prose)}</article>
      <div class="comments-area">${comment('First!')}${comment('Thanks.')}</div><div class="product-reviews"><p>Great value, five stars, would buy again from this shop.</p></div></body></html>`;
    const r = fastExtract(article);
    expect(r.text).toContain('Funding renewed');
    expect(r.text).not.toMatch(/First!|five stars/);
    const thread = `<html><body><h1>Which tent?</h1><div class="post-list">${['Question.', 'Answer one.', 'Answer two.', 'Answer three.'].map(comment).join('')}</div></body></html>`;
    const t = fastExtract(thread);
    expect(t.text).toContain('Question.');
    expect(t.text).toContain('Answer three.');
  });

  it('does not take search results or state classes (hide-ad, has-sidebar) for furniture', () => {
    const items = Array.from({ length: 10 }, (_, i) => `<div class="search_result_item hide-read-more-ad"><h3>Result ${i}: the council approves the budget</h3><p>${prose}</p></div>`).join('');
    const r = fastExtract(`<html><body class="has-sidebar"><main>${items}</main></body></html>`);
    expect(r.text).toContain('Result 0: the council');
    expect(r.text).toContain('Result 9: the council');
  });

  it('says a page is all furniture when nearly all its text is in furniture containers, and counts hidden words', () => {
    const shell = `<html><body><header><a href="/">Shop</a> <a href="/men">Men</a> <a href="/women">Women</a></header>
      <noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div>
      <footer><p>Help Center, Returns and refunds, Shipping, Track my order, Gift cards, Careers, Press, Investors</p>
      <p>© 2025 Example Shop. All rights reserved.</p></footer></body></html>`;
    expect(fastExtract(shell)).toMatchObject({ text: '', strategy: 'furniture' });
    const streamed = `<html><body><div id="shell"></div><div hidden id="S:1"><article>${para(prose, 3)}</article></div></body></html>`;
    const first = fastExtract(streamed);
    expect(first.text).toBe('');
    expect(first.hiddenWords).toBeGreaterThan(60);
    expect(fastExtract(streamed, { ...DEFAULT_FAST_OPTIONS, revealHidden: true }).text).toContain('The committee met');
  });

  it('keeps markup shown in a code block, drops the long paragraph of a consent banner', () => {
    const consent = 'We use cookies and similar technologies to run this site and, if you click Accept all, to measure and personalise ads with our partners. You may withdraw your consent at any time in the settings. '.repeat(3);
    const html = `<html><body><article><h1>Templates</h1>${para(prose)}<pre>&lt;div class="card"&gt;
  &lt;p&gt;{{ title }}&lt;/p&gt;
&lt;/div&gt;</pre>${para(prose)}</article><div class="ot-banner"><p>${consent}</p></div></body></html>`;
    const r = fastExtract(html);
    expect(r.text).toContain('<div class="card">');
    expect(r.text).not.toContain('We use cookies');
  });

  it('is empty, not an error, on pages with no text', () => {
    expect(fastExtract('').text).toBe('');
    expect(fastExtract('<html><body><script>x()</script></body></html>')).toMatchObject({ text: '', strategy: 'empty' });
  });
});

describe('stripRawText', () => {
  it('cuts scripts, styles, svg and comments, and stops at an unclosed one without rescanning', () => {
    expect(stripRawText('a<script>if (a<b) x()</script>b<STYLE>p{}</STYLE>c<!-- note -->d<svg><path/></svg>e')).toBe('a b c d e');
    expect(stripRawText('a<scripts>b</scripts>')).toBe('a<scripts>b</scripts>');
    expect(stripRawText('x<script>never closed')).toBe('x<script>never closed');
  });

  it('matches names in any case and keeps offsets where lowercasing would change the length', () => {
    expect(stripRawText('a<ScRiPt type="x">y</SCRIPT >b<![CDATA[c')).toBe('a b c');
    // 'İ'.toLowerCase() is two code units: offsets taken from a lowercased copy cut the wrong span
    expect(stripRawText('İİİ<script>x</script>keep<style>s</style>end')).toBe('İİİ keep end');
    expect(stripRawText('<!- not a comment -><svgx>t</svgx>')).toBe('<!- not a comment -><svgx>t</svgx>');
  });
});
