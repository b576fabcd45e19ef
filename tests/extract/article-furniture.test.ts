// The article-furniture rules of fastExtract (issue 17): lines a news or blog template puts around and
// between an article's paragraphs are dropped, the paragraphs stay.
import { describe, expect, it } from 'vitest';
import { fastExtract } from '../../src/extract/fast.js';

const prose = 'The committee met on Tuesday to review the proposal, and after a long discussion it agreed to fund the project for two more years. Work starts in May.';
const prose2 = 'Residents who spoke at the meeting said the library had become the only quiet place in the district where children could do their homework.';
const p = (s: string) => `<p>${s}</p>`;
const body = `${p(prose)}${p(prose2)}${p(prose)}${p(prose2)}`;
const page = (inner: string, title = 'Funding renewed for the library | The Daily Example') =>
  `<html><head><title>${title}</title></head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav><article>${inner}</article><footer>Contact</footer></body></html>`;

function expectArticleKept(text: string): void {
  expect(text).toContain(prose);
  expect(text).toContain(prose2);
  expect(text.split(prose).length - 1).toBe(2);
}

describe('fastExtract article furniture', () => {
  it('drops the headline that repeats the page title, the byline, the dateline and the reading time', () => {
    const html = page(`<h1>Funding renewed for the library</h1><div>By Jane Doe and John Roe</div><div>Updated on March 5, 2024 at 4:28 PM EST</div>
      <span>5 min read</span>${body}`);
    const r = fastExtract(html);
    expect(r.strategy).toBe('content');
    expectArticleKept(r.text);
    expect(r.text).not.toMatch(/Funding renewed|Jane Doe|March 5|min read/);
    expect(r.text.startsWith('The committee met')).toBe(true);
  });

  it('keeps a headline that is not the page title, and "By ..." or dates in the article body', () => {
    const items = '<ul><li>The Overstory</li><li>By Richard Powers</li><li>March 16, 2026</li></ul>';
    const r = fastExtract(page(`<h1>A different headline</h1>${body}${items}${p(prose2)}`));
    expect(r.text).toContain('A different headline');
    expect(r.text).toContain('By Richard Powers');
    expect(r.text).toContain('March 16, 2026');
  });

  it('drops image credits and the text of a figure, keeps a table inside a figure', () => {
    const html = page(`${p(prose)}<figure><img src="a.jpg"><div>Reading room</div><span>Photo: Getty Images</span></figure>
      ${p(prose2)}<p>Guests pick books from the shelves. | Photo by Lisa Jennings</p>${p(prose)}
      <figure class="wp-block-table"><table><tr><td>Branch</td><td>Visitors 2024</td></tr></table></figure>${p(prose2)}`);
    const r = fastExtract(html);
    expectArticleKept(r.text);
    expect(r.text).not.toMatch(/Getty|Reading room|Lisa Jennings/);
    expect(r.text).toContain('Visitors 2024');
  });

  it('drops a related-articles box under its heading, up to where the article resumes', () => {
    const teasers = ['Council cuts park budget', 'New bus line opens', 'School roof repaired'].map((t) => `<h3><a href="/${t.length}">${t}</a></h3><p>March 2, 2024</p>`).join('');
    const html = page(`${p(prose)}${p(prose2)}<h2>Related Articles</h2>${teasers}<h2>What happens next</h2>${p(prose)}${p(prose2)}`);
    const r = fastExtract(html);
    expectArticleKept(r.text);
    expect(r.text).not.toMatch(/Related Articles|Council cuts|bus line|March 2/);
    expect(r.text).toContain('What happens next');
  });

  it('drops the author bio box heading, comment counts and tag lists', () => {
    const html = page(`${body}<h3>About the author</h3><p><a href="/jane">Jane Doe</a> covers city hall.</p><p>12 comments</p><p>Tags: library, budget, city hall</p>`);
    const r = fastExtract(html);
    expectArticleKept(r.text);
    expect(r.text).not.toMatch(/About the author|covers city hall|12 comments|Tags:/);
  });

  it('drops newsletter and subscription prompts, advertisement labels, share bars, breadcrumbs and read-more lines', () => {
    const html = page(`<div>Home &gt; News &gt; City</div>${p(prose)}<div>Advertisement</div>${p(prose2)}
      <div>ADVERTISEMENT - Scroll to continue reading</div><p>Read more: <a href="/x">Council cuts park budget</a></p>${p(prose)}
      <div>Share Facebook Twitter Email Print</div><p>Get our free newsletter delivered straight to your inbox every morning.</p>
      ${p(prose2)}<p>This article is exclusive to subscribers. Already have an account? Log in</p>`);
    const r = fastExtract(html);
    expectArticleKept(r.text);
    expect(r.text).not.toMatch(/Home >|Advertisement|ADVERTISEMENT|Read more|Facebook|newsletter|subscribers/);
  });

  it('drops a number alone on a line (a chart\'s ticks) outside lists and tables', () => {
    const r = fastExtract(page(`${p(prose)}<div><div>$915</div><div>’17</div><div>600</div></div>${p(prose2)}${p(prose)}<ol><li>2024</li></ol>${p(prose2)}`));
    expectArticleKept(r.text);
    expect(r.text).not.toMatch(/\$915|’17|600/);
    expect(r.text).toContain('2024');
  });

  it('leaves pages without running paragraphs alone (a service page\'s short lines are its content)', () => {
    const html = `<html><head><title>Opening hours</title></head><body><main><h1>Opening hours</h1><p>Monday to Friday</p><p>By appointment</p><p>Advertisement</p></main></body></html>`;
    const r = fastExtract(html);
    expect(r.text).toContain('Opening hours');
    expect(r.text).toContain('By appointment');
  });
});
