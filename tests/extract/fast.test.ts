import { describe, expect, it } from 'vitest';
import { fastExtract, stripRawText } from '../../src/extract/fast.js';

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
});
