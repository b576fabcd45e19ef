// Rules of fastExtract for pages that are not articles (issue 17, third pass, WCXB's page types): a forum
// thread's quotes and poster boxes, copies a layout shows twice, an FAQ's collapsed answers and its questions.
import { describe, expect, it } from 'vitest';
import { extractHtml } from '../../src/extract/extract.js';
import { fastExtract } from '../../src/extract/fast.js';

const post1 = 'I have been running the same backup script for years and it finally failed last week when the disk filled up overnight.';
const post2 = 'Check whether the old snapshots are ever pruned, because without a retention policy the disk will fill up again within a month.';
const post3 = 'Thanks, that was it: the snapshots from the last two years were all still there, and pruning them freed most of the disk.';
const count = (text: string, s: string) => text.split(s).length - 1;
const page = (inner: string) =>
  `<html><head><title>Backup script fails</title></head><body><nav><a href="/">Forums</a> <a href="/new">New posts</a></nav><main>${inner}</main><footer>Contact</footer></body></html>`;

describe('fastExtract on forum threads', () => {
  it("drops a reply's quote of an earlier post, keeps the post and the reply", () => {
    const html = page(`<article class="post"><div class="content"><p>${post1}</p></div></article>
      <article class="post"><div class="content"><blockquote><div>alice said:</div><div>${post1}</div></blockquote><p>${post2}</p></div></article>
      <article class="post"><div class="content"><p>${post3}</p></div></article>`);
    const r = fastExtract(html);
    expect(count(r.text, post1)).toBe(1);
    expect(r.text).toContain(post2);
    expect(r.text).toContain(post3);
  });

  it("drops the poster's box and signature of each post", () => {
    const profile = (name: string) => `<dl class="postprofile"><dt>${name}</dt><dd>Senior Member</dd><dd>Posts: 4032</dd><dd>Joined: Oct 05, 2011</dd></dl>`;
    const sig = '<div class="signature">My rig: a twelve-core desktop, two mirrored disks and a tape drive in the basement.</div>';
    const html = page(`<div class="post">${profile('alice')}<div class="content">${post1}</div>${sig}</div>
      <div class="post">${profile('bob')}<div class="content">${post2}</div></div><div class="post">${profile('alice')}<div class="content">${post3}</div>${sig}</div>`);
    const r = fastExtract(html);
    expect(r.text).toContain(post1);
    expect(r.text).toContain(post2);
    expect(r.text).toContain(post3);
    expect(r.text).not.toMatch(/Posts: 4032|Joined|Senior Member|tape drive/);
  });
});

describe('fastExtract on repeated text', () => {
  const feature = (h: string, t: string) => `<div class="slide"><h3>${h}</h3><p>${t}</p></div>`;
  const slides =
    feature('Soft wool', 'Superfine fibers have a luxurious feel and help regulate temperature.') +
    feature('Odor minimizing', 'Naturally anti-microbial, wool locks away moisture to maximize freshness.') +
    feature('Supportive', 'Our sugarcane-based midsole is both sturdy and super soft.');
  const intro = '<p>A true original, our runner combines soft merino wool with cloud-like comfort for walking all day in any season.</p>';

  it('drops a run of blocks a carousel or a responsive layout shows twice', () => {
    const r = fastExtract(page(`${intro}<div class="carousel">${slides}${slides}</div>`));
    expect(count(r.text, 'Superfine fibers')).toBe(1);
    expect(count(r.text, 'Naturally anti-microbial')).toBe(1);
    expect(r.text).toContain('A true original');
  });

  it('keeps a paragraph said twice in a row, and list items and table cells that repeat by design', () => {
    const para = 'Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur.';
    const plan = (name: string) => `<h3>${name}</h3><ul><li>Review of the transcript and test scores</li><li>Two essay reviews with written feedback</li></ul>`;
    const r = fastExtract(page(`<p>${para}</p><div><p>${para}</p></div><p>${post1}</p>${plan('Basic package')}${plan('Full package')}
      <table><tr><td>Monday</td><td>Easy run 30 min</td></tr><tr><td>Tuesday</td><td>Easy run 30 min</td></tr></table>`));
    expect(count(r.text, para)).toBe(2);
    const siblings = fastExtract(page(`<div><p>${post1}</p><p>${post2}</p><p>${post1}</p><p>${post2}</p></div>`));
    expect(count(siblings.text, post1)).toBe(2);
    expect(count(siblings.text, post2)).toBe(2);
    expect(count(r.text, 'Two essay reviews with written feedback')).toBe(2);
    expect(count(r.text, 'Easy run 30 min')).toBe(2);
  });
});

describe('fastExtract on collapsed sections', () => {
  const faq = (i: number, q: string, a: string, open: boolean) =>
    `<li><h3><button type="button" aria-expanded="${open}" aria-controls="faq-${i}">${q}</button></h3>
      <div role="region" id="faq-${i}" aria-labelledby="faq-h-${i}" aria-hidden="${!open}"><p>${a}</p></div></li>`;
  const answers = [
    'Pet insurance reimburses you for a portion of your eligible vet bills after you pay the clinic yourself.',
    'Unlike health insurance for humans, there are no networks: as long as your vet is licensed, you can see them.',
    'Pre-existing conditions are not covered by most insurers, which is why policies usually have waiting periods.',
  ];
  const html = page(`<h1>Pet insurance</h1><p>${post1}</p><h2>Common questions</h2><ul>${faq(1, 'How does pet insurance work?', answers[0]!, true)}${faq(2, 'Can I use my own vet?', answers[1]!, false)}${faq(3, 'What is not covered?', answers[2]!, false)}</ul>`);

  it("reads an accordion's collapsed answers (role=region labelled by its header, or role=tabpanel)", () => {
    const r = fastExtract(html);
    for (const a of answers) expect(r.text).toContain(a);
    const tabs = page(`<p>${post1}</p><div role="tablist"><span>Python</span><span>Node.js</span></div>
      <div role="tabpanel"><pre>pip install flask twilio</pre></div><div role="tabpanel" hidden><pre>npm install twilio</pre></div>`);
    expect(fastExtract(tabs).text).toContain('npm install twilio');
  });

  it('reads the question in the button of an accordion header, not other buttons', () => {
    const r = fastExtract(html.replace('</ul>', '</ul><p><button>Add to cart</button> <button aria-expanded="false" aria-controls="sort">Sort by price</button></p>'));
    expect(r.text).toContain('Can I use my own vet?');
    expect(r.text).toContain('What is not covered?');
    expect(r.text).not.toMatch(/Add to cart|Sort by/);
  });

  it('still skips other hidden elements', () => {
    const r = fastExtract(page(`<p>${post1}</p><div aria-hidden="true"><p>${post2}</p></div><div hidden aria-labelledby="x"><p>${post3}</p></div>`));
    expect(r.text).not.toContain(post2);
    expect(r.text).not.toContain(post3);
  });
});

describe('extractHtml on a page whose content a script reveals', () => {
  it('reads what the hidden attribute holds before what aria-hidden drawers hold', () => {
    const cart = '<div class="cart-popout" aria-hidden="true"><p>Your cart is empty. Spend $65 more to get free shipping on every order, and earn points on each item you add to it today.</p></div>';
    const streamed = `<div hidden id="S:1"><h1>Black Edition</h1><p>${post1}</p><p>${post2}</p></div>`;
    const r = extractHtml(`<html><body><div id="root"><p>Loading</p></div>${cart}${streamed}</body></html>`);
    expect(r.fallbackReason).toBe('hidden_revealed');
    expect(r.text).toContain(post1);
    expect(r.text).toContain(post2);
    expect(r.text).not.toContain('Your cart is empty');
  });

  it('reads aria-hidden elements too when nothing else holds the text (a page behind a consent dialog)', () => {
    const r = extractHtml(`<html><body><div role="dialog"><p>We use cookies.</p></div><div aria-hidden="true"><p>${post1}</p><p>${post2}</p></div></body></html>`);
    expect(r.text).toContain(post1);
  });
});

describe('fastExtract on the template lines of threads and shops', () => {
  // posts of running text (the furniture-line rules run under two paragraphs of 25 words or more)
  const long1 = `${post1} ${post2}`;
  const long2 = `${post2} ${post3}`;
  const long3 = `${post3} ${post1}`;

  it("drops a thread's answer count, edit notices, like counts and starter badges, keeps the posts", () => {
    const html = page(`<div class="question"><p>${long1}</p><div>Last edited: Sep 26, 2024</div></div><h2>2 Answers</h2>
      <div class="answer"><div>Thread Starter</div><p>${long2}</p><div>79 Likes</div></div>
      <div class="answer"><p>${long3}</p><div>Last edited by alice on Wed Aug 28, 2019 11:24 am, edited 1 time in total.</div></div>
      <p>Explore related questions</p><p>See similar questions with these tags.</p>`);
    const r = fastExtract(html);
    for (const p of [long1, long2, long3]) expect(r.text).toContain(p);
    expect(r.text).not.toMatch(/Last edited|2 Answers|Thread Starter|79 Likes|Explore related|similar questions/);
  });

  it('drops a "You may also like\u2026" section under a product description, however the heading trails off', () => {
    const html = page(`<div class="product"><h1>Minimalist Sandals Zero</h1><p>${long1}</p><p>${long2}</p>
      <h2>You may also like\u2026</h2><p>Minimalist Sandals Volcan Strap</p><p>119,90 \u20ac</p><p>Minimalist Sandals Uluwatu</p><p>99,90 \u20ac</p></div>`);
    const r = fastExtract(html);
    expect(r.text).toContain(long2);
    expect(r.text).not.toMatch(/Volcan|Uluwatu|You may also like/);
  });

  it("drops a shop's buttons and badges as text, keeps the product's description and price", () => {
    const html = page(`<div class="product"><h1>Wool Runner</h1><p>${post1}</p><div class="price">$98</div><div>In Stock</div><div>Sold out</div>
      <div>Add to Compare</div><div>Unit price / per</div><p>${post2}</p><div>Sponsored</div><p>${post3}</p></div>`);
    const r = fastExtract(html);
    for (const p of [post1, post2, post3]) expect(r.text).toContain(p);
    expect(r.text).toContain('$98');
    expect(r.text).not.toMatch(/In Stock|Sold out|Add to Compare|Unit price|Sponsored/);
  });
});
