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

  it('drops forms inside the article (comment, contact and sign-up forms), keeps a page wrapped whole in a form', () => {
    const form = '<form action="/subscribe"><p>By checking this box and submitting this form, I consent to receive marketing texts and emails from us.</p><label>Email</label></form>';
    const r = fastExtract(page(`${body}${form}`));
    expectArticleKept(r.text);
    expect(r.text).not.toMatch(/checking this box|Email/);
    // ASP.NET wraps the whole page in one <form>: the mark is undone where the form holds most of the text
    const wrapped = fastExtract(`<html><body><form id="aspnetForm"><div class="content">${body}</div></form></body></html>`);
    expectArticleKept(wrapped.text);
  });

  it('drops calls to action, consent placeholders of embeds and paywall boxes by their class', () => {
    const html = page(`${p(prose)}<div class="article-cta"><p>Enjoyed this? Build your dream workspace with our desks.</p></div>${p(prose2)}
      <div class="third-party-services--placeholder"><p>We respect your privacy and do not connect to Twitter without your consent.</p></div>${p(prose)}
      <div class="paywall"><p>Unlimited digital access for the price of a coffee each month.</p></div>${p(prose2)}`);
    const r = fastExtract(html);
    expectArticleKept(r.text);
    expect(r.text).not.toMatch(/dream workspace|respect your privacy|price of a coffee/);
  });

  it('drops datelines in German, French and Spanish, and a byline that carries a date and a fact-checker', () => {
    for (const line of ['Dienstag, 4. Juni 2019, 15:54', 'Veröffentlichung: 2. Februar 2022', 'Publié le 3 mars 2021', 'Publicado el 2 de febrero de 2022']) {
      const r = fastExtract(page(`<div>${line}</div>${body}`));
      expectArticleKept(r.text);
      expect(r.text).not.toContain(line.slice(0, 12));
    }
    const r = fastExtract(page(`<div>By Jane Doe, CFP – Updated Mar 5, 2026 at 4:28 PM EST | Fact-checked by John Roe</div>${body}`));
    expectArticleKept(r.text);
    expect(r.text).not.toMatch(/Jane Doe|Fact-checked/);
  });

  it('drops "Loading ..." placeholders and the like widget', () => {
    const r = fastExtract(page(`${p(prose)}<div>Loading hub_pages...</div>${p(prose2)}<div>Like this:</div><div>Like Loading...</div>${p(prose)}${p(prose2)}`));
    expectArticleKept(r.text);
    expect(r.text).not.toMatch(/Loading|Like this/);
  });

  it('drops repeated teasers (a linked headline, a summary cut short, a date), keeps a single trailing paragraph and a page of them', () => {
    const teaser = (t: string) => `<div class="item"><h3><a href="/${t.length}">${t}</a></h3><div>Do you ever feel stiffness in your neck after a few hours of work? This guide shows how to set up your desk so that...</div><div>Mar 3, 2026</div></div>`;
    const teasers = ['Neck pain at your computer', 'A gift for an electronics fan'].map(teaser).join('');
    const r = fastExtract(page(`${body}<section><h2>Blog.</h2>${teasers}</section>`));
    expectArticleKept(r.text);
    expect(r.text).not.toMatch(/stiffness|Mar 3/);
    // with the author's name (a furniture-marked line) between the headline and the date
    const withAuthor = (t: string) => `<div class="item"><div class="title"><a href="/${t.length}">${t}</a></div><div class="author">Webmaster</div><div>December 19, 2025</div><div>THE COUNCIL voted on Tuesday to keep the branch open, and a notice dated December 1 says the hours...</div></div>`;
    const r2 = fastExtract(page(`${body}<section>${['Clerk recalled', 'Hampers handed out'].map(withAuthor).join('')}</section>`));
    expectArticleKept(r2.text);
    expect(r2.text).not.toMatch(/THE COUNCIL|December 19/);
    // one summary-like paragraph after a link is the article's own
    const one = fastExtract(page(`${body}<p><a href="/a">Part two</a></p><p>And then the council voted again, and nobody in the room expected what came next...</p>`));
    expect(one.text).toContain('nobody in the room');
    // an events page made of such items keeps them: they are its text
    const many = ['Budget hearing', 'Library open day', 'Park clean-up', 'School board'].map(teaser).join('');
    const events = fastExtract(page(`${p(prose)}${p(prose2)}${many}`));
    expect(events.text).toContain('stiffness');
  });

  it('drops appeals for support and donations', () => {
    const html = page(`${body}<p>Enjoyed this piece? We need your help to keep publishing.</p><p>The Review is a non-profit project kept alive by reader donations: no ads, no paywalls, just the generosity of our community.</p>`);
    const r = fastExtract(html);
    expectArticleKept(r.text);
    expect(r.text).not.toMatch(/Enjoyed this|reader donations/);
  });

  it('drops an author bio below the article, keeps a profile that opens with the same words', () => {
    const bio = '<p>Jane Doe is a freelance writer and editor who covers city hall, schools and the arts for several regional papers.</p>';
    const r = fastExtract(page(`${body}${bio}`));
    expectArticleKept(r.text);
    expect(r.text).not.toContain('freelance writer');
    const profile = fastExtract(page(`${bio}${body}`));
    expect(profile.text).toContain('freelance writer');
  });

  it('drops comment-form lines, "last modified" lines, "Article continues below" and more newsletter prompts', () => {
    const html = page(`${p(prose)}<div>Article Continues Below</div>${p(prose2)}
      <p>Want exclusive tips sent straight to your inbox? Join 1000+ readers every month.</p>${p(prose)}${p(prose2)}
      <div>Page last modified Jan. 17, 2025 @ 01:39 PM EST</div>
      <p>Your email address will not be published. Required fields are marked *</p>`);
    const r = fastExtract(html);
    expectArticleKept(r.text);
    expect(r.text).not.toMatch(/Continues Below|straight to your inbox|last modified|will not be published/);
  });

  it('takes a furniture label outside a heading element, or a line introducing related links, for a section heading', () => {
    const links = '<ul><li><a href="/a">Council cuts park budget</a></li><li><a href="/b">New bus line opens</a></li></ul>';
    const html = page(`${body}<div class="title">About the author</div><p>I am a folklorist writing about the city and its libraries for travellers and locals alike, with practical guides and tips.</p>`);
    const r = fastExtract(html);
    expectArticleKept(r.text);
    expect(r.text).not.toMatch(/About the author|folklorist/);
    const intro = fastExtract(page(`${body}<p>You may also be interested in the following reports:</p>${links}`));
    expectArticleKept(intro.text);
    expect(intro.text).not.toMatch(/interested in|park budget|bus line/);
    // a label's section holds links only: "Tags" over a product's details, "Recommended:" over system
    // requirements end at the first line of text
    const tags = fastExtract(page(`${body}<div>Tags</div><div><a href="/t/x">Roguelike</a></div><div>Release date and developer: Mega Crit, in Seattle</div>`));
    expect(tags.text).toContain('Release date and developer');
    expect(tags.text).not.toContain('Roguelike');
    const spec = fastExtract(page(`${body}<div>Recommended:</div><div>Memory: 16 GB RAM</div>`));
    expect(spec.text).toContain('Memory: 16 GB RAM');
  });

  it('drops affiliate disclosures and prompts to follow the site elsewhere', () => {
    const html = page(`<p>This post contains references to products from one or more of our advertisers. We may receive compensation when you click on links to those products.</p>
      ${body}<p>Follow us on Instagram for more stories from the library.</p><p>¡Mira lo que tiene nuestro canal de YouTube!</p>`);
    const r = fastExtract(html);
    expectArticleKept(r.text);
    expect(r.text).not.toMatch(/compensation|Instagram|YouTube/);
  });

  it('ends the article with its named body: what follows it in the same container is the template\'s', () => {
    // no class or heading gives the box after the body away; only its place after div.article-body does
    const box = `<div class="box"><p>${'Our guide to public libraries explains which branches open late, how to borrow e-books and what the reading clubs offer this season.'}</p></div>`;
    const html = page(`<div class="article-body">${body}</div><div class="after">${box}<p>Read our guides on parks, schools and transport, updated every month by our editors for readers.</p></div>`);
    const r = fastExtract(html);
    expectArticleKept(r.text);
    expect(r.text).not.toMatch(/reading clubs|Read our guides/);
    // an article split into several named parts (a body cut by an advertisement) keeps all of them
    const later = 'The library will also extend its opening hours on weekdays, the council said, once the new staff have been hired this summer.';
    const split = fastExtract(page(`<div class="story-body">${p(prose)}${p(prose2)}</div><div class="ad-slot">Ad</div><div class="story-body">${p(later)}</div>`)).text;
    expect(split).toContain(prose);
    expect(split).toContain(later);
    // and a standfirst before the body stays
    const dek = 'The city council voted to keep the branch open for two more years after a campaign by parents and teachers.';
    const withDek = page(`<p class="dek">${dek}</p><div itemprop="articleBody">${body}</div><p>More from our newsroom on the council's budget debates and what they mean for the districts.</p>`);
    const d = fastExtract(withDek).text;
    expect(d).toContain(dek);
    expect(d).not.toContain('More from our newsroom');
  });

  it('drops a long comment thread under an article of its own length, keeps a forum thread', () => {
    const long = Array.from({ length: 26 }, (_, i) => p(`${prose} (${i})`)).join('');
    const comment = (i: number) => `<li class="comment"><div class="comment-body"><p>Reader ${i} wrote a long reply about the library, the budget and the reading room, asking whether the funding covers the evening hours too and who decides.</p></div></li>`;
    const comments = `<ol class="comments-list">${Array.from({ length: 30 }, (_, i) => comment(i)).join('')}</ol>`;
    const r = fastExtract(page(`${long}${p(prose2)}${comments}`));
    expect(r.text).toContain(prose2);
    expect(r.text).not.toContain('Reader 3 wrote');
    // a thread whose posts are all the page has is the content
    const thread = fastExtract(page(`<h1>Evening hours?</h1>${comments}`));
    expect(thread.text).toContain('Reader 3 wrote');
  });

  it('drops an author bio under the article that gives a handle or speaks in the first person', () => {
    const bios = `<p>Jane Doe (@janedoe) is the managing editor at The Daily Example. She covered city hall for ten years before that and teaches journalism at night.</p>
      <p>Hi, I'm John Roe, and I oversee all library coverage here. When I'm not visiting branches I write about local history and the people who keep it alive.</p>
      <p>This story was produced in partnership with the Library Foundation by our branded content team.</p>`;
    const r = fastExtract(page(`${body}${bios}`));
    expectArticleKept(r.text);
    expect(r.text).not.toMatch(/janedoe|John Roe|branded content/);
  });

  it('drops what the site asks of its readers, more affiliate disclosures, and caption toggles as text', () => {
    const prompts = `<p>Have a view on the library? Submit your letter to the editor using our online form.</p>
      <p>Did you make one of our recipes? Please take a moment to leave a star rating below.</p>
      <p>We will only approve comments that stay on the topic of the story.</p>
      <p>Share your feedback to help us improve the site!</p>
      <p>New subscribers also receive a tote bag printed by the branch's volunteers.</p>
      <p>Werden Sie jetzt Mitglied und lesen Sie alle Beiträge ohne Werbung.</p>
      <p>Purchases made through the links on this page earn us a small commission at no cost to you.</p>
      <p>The Daily Example may receive a commission on orders placed through its retail links.</p>`;
    const r = fastExtract(page(`${p(prose)}<div>Show caption</div><div>Bild anzeigen Bild schließen</div>${p(prose2)}${p(prose)}${p(prose2)}${prompts}`));
    expectArticleKept(r.text);
    expect(r.text).not.toMatch(/letter to the editor|star rating|approve comments|feedback|tote bag|Mitglied|commission|caption|Bild/);
    // the same words inside the article's running text stay
    const told = 'The vendor said buyers can leave a rating for each seller, and the committee shared their thoughts on the plan with residents who came to the meeting.';
    expect(fastExtract(page(`${body}${p(told)}`)).text).toContain(told);
  });

  it('drops a headline that is mostly the page title, or og:title, and share and rating counts', () => {
    const head = (title: string, og: string, inner: string) =>
      `<html><head><title>${title}</title><meta property="og:title" content="${og}"></head><body><article>${inner}</article></body></html>`;
    // a word or two changed, and the site's name after a bar
    let r = fastExtract(head('Funding renewed for the library in 2025 | The Daily Example', 'Library funding', `<h1>Funding renewed for the library in 2026</h1>${body}`));
    expectArticleKept(r.text);
    expect(r.text).not.toContain('Funding renewed');
    // only og:title says it, and the headline's text sits in a <p> inside the <h1>
    r = fastExtract(head('The Daily Example', 'Funding renewed for the library', `<h1><p>Funding renewed for the library</p></h1>${body}`));
    expect(r.text).not.toContain('Funding renewed');
    // a headline that says something else stays
    r = fastExtract(head('Funding renewed for the library | The Daily Example', 'Funding renewed', `<h1>Residents pack the town hall</h1>${body}`));
    expect(r.text).toContain('Residents pack the town hall');
    r = fastExtract(page(`${p(prose)}<div>3.0K Shares</div><div>4.5 Rating</div>${p(prose2)}${p(prose)}${p(prose2)}`));
    expectArticleKept(r.text);
    expect(r.text).not.toMatch(/Shares|Rating/);
  });
  it('drops teaser cards under a related heading when their linked headlines are dropped, keeps the article after a related-links box in its body', () => {
    // a recommendation stream: each card a linked headline, a summary of running text, a source line
    const summary = (n: number) => `Officials in ward ${n} said the new budget would cover road repairs, two more buses and longer library hours, and residents would see the first changes by summer`;
    const cards = [1, 2, 3].map((n) => `<li><div><h3><a href="/story-${n}">Story number ${n} about the city budget</a></h3><p>${summary(n)}</p></div><div><span>City Wire</span></div></li>`).join('');
    let r = fastExtract(page(`${body}<h2>Recommended for You</h2><ul>${cards}</ul>`));
    expectArticleKept(r.text);
    expect(r.text).not.toMatch(/ward|City Wire|Story number/);
    // a related-links box inside the article's body: the paragraph after it is the article again
    const box = `<div><h5>Related</h5><div><div><a href="/gas">Gas</a></div><h4><a href="/gas-deal">Gas deal signed with the neighbours</a></h4></div></div>`;
    const resumed = 'After the vote, the mayor thanked the volunteers who had kept the branch open on Saturdays for three years without any pay, and promised them a seat on the new board.';
    r = fastExtract(page(`<div>${p(prose)}${p(prose2)}${box}${p(resumed)}${p(prose)}${p(prose2)}</div>`));
    expectArticleKept(r.text);
    expect(r.text).toContain(resumed);
    expect(r.text).not.toMatch(/Related|Gas deal/);
  });

  it('drops copyright credits under photos, keeps the copyright sign inside a sentence', () => {
    const credits = `<p>The reading room after the renovation. \u00a9 AFP / JANE ROE</p><div>\u00a9 City Library / J. Doe</div><p>Textquelle: \u00a9 Example.at</p>`;
    const r = fastExtract(page(`${p(prose)}${credits}${p(prose2)}${p(prose)}${p(prose2)}`));
    expectArticleKept(r.text);
    expect(r.text).not.toMatch(/AFP|J\. Doe|Textquelle/);
    const told = 'The new sign reads \u00a9 City Library in small letters under the old logo, which the committee kept because residents would recognise it at once.';
    expect(fastExtract(page(`${body}${p(told)}`)).text).toContain(told);
  });
  it('drops notices that the browser runs without JavaScript, keeps an article about JavaScript', () => {
    const notices = `<div>Your browser does not seem to support JavaScript. As a result, your viewing experience will be diminished.</div>
      <div>Please download a browser that supports JavaScript, or enable it if it's disabled.</div>
      <div>Bitte schalten Sie Javascript ein, um das einwandfreie Funktionieren der Webseite zu gewährleisten.</div>
      <div>Achtung! Du hast in deinem Browser Javascript deaktiviert.</div>`;
    const r = fastExtract(page(`${notices}${body}`));
    expectArticleKept(r.text);
    expect(r.text).not.toMatch(/JavaScript|Javascript/);
    const told = 'The library runs a weekly class where children learn how JavaScript draws shapes in the browser, and the teacher says the waiting list keeps growing.';
    expect(fastExtract(page(`${body}${p(told)}`)).text).toContain(told);
  });
});
