// Fast main-text extraction: one htmlparser2 SAX pass builds a light tree of text blocks, then the
// main content is the subtree with the largest sum of block weights (content text counts for,
// link lists and boilerplate containers against: the tree form of Finn et al.'s Body Text
// Extraction), widened to an ancestor when sibling sections hold more content (widen), and within
// it link-heavy and boilerplate blocks are dropped (jusText's rules). Listing pages (little running
// text, much linked text) keep their whole item region; pages that are all furniture give nothing.
import { Parser } from 'htmlparser2';
import { isJsSpace } from '../text/js-space.js';

export interface FastExtracted {
  text: string;
  title?: string;
  lang?: string;
  canonical?: string;
  published?: string;
  /** `content` when a content subtree was found, `listing` for a listing region, `page` when the whole page
   * was filtered block by block, `furniture` when nearly all its text is in furniture containers (nav, header,
   * footer, consent banners: a script-rendered page's shell), `empty` when it has no text */
  strategy: 'content' | 'listing' | 'page' | 'furniture' | 'empty';
  /** words in elements hidden by attribute or style (skipped unless revealHidden), counted while parsing */
  hiddenWords: number;
  /** the most attributes one tag carries: DOM builders (parse5, linkedom) check each new attribute against
   * the tag's earlier ones, so a tag with 10^5 of them costs them minutes; the fallbacks are skipped there */
  maxTagAttributes: number;
}

export interface FastOptions {
  /** a content subtree holding less than this share of the page's content words is not trusted */
  minRootShare: number;
  /** performance.now() past which parsing stops with an ExtractTimeout */
  deadline?: number;
  /**
   * read elements hidden by the `hidden` or `aria-hidden` attribute or a display:none / visibility:hidden style;
   * `except-aria-hidden` reads the first and the styles but not aria-hidden (menus, cart drawers, a carousel's
   * off-screen copies: what a screen reader skips too)
   */
  revealHidden?: boolean | 'except-aria-hidden';
}

export const DEFAULT_FAST_OPTIONS: FastOptions = { minRootShare: 0.25 };

/** the page took longer than its time budget */
export class ExtractTimeout extends Error {
  constructor(readonly elapsedMs: number) {
    super(`extraction ran past its time budget (${elapsedMs.toFixed(0)} ms)`);
  }
}

/** parse in slices so a time budget can be checked between them */
const PARSE_SLICE_CHARS = 64 * 1024;

// Elements whose content is never text. (noscript is kept: it is what a crawler without JavaScript
// sees, and Discourse forums serve their whole thread in it.)
const SKIP = new Set([
  'script', 'style', 'template', 'svg', 'math', 'iframe', 'object', 'embed', 'canvas', 'select', 'option',
  'button', 'textarea', 'input', 'head', 'map', 'audio', 'video', 'picture', 'dialog', 'figcaption',
]);
// Elements that start a new block of text.
const BLOCK = new Set([
  'p', 'div', 'section', 'article', 'main', 'header', 'footer', 'nav', 'aside', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol',
  'li', 'dl', 'dt', 'dd', 'table', 'tr', 'td', 'th', 'thead', 'tbody', 'tfoot', 'caption', 'blockquote', 'pre', 'figure',
  'figcaption', 'form', 'fieldset', 'address', 'details', 'summary', 'hr', 'body', 'html', 'center', 'legend', 'menu',
]);
// Blocks that end with a blank line rather than a newline.
const PARAGRAPH = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'pre', 'blockquote', 'table', 'ul', 'ol', 'dl', 'figure', 'section', 'article']);
const HEADING = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
// Containers that hold site furniture, not content. (A <form> in an article is a comment, contact or sign-up
// form; one that wraps the whole page, as ASP.NET's does, holds most of its text and is undone below.)
const BOILER_TAGS = new Set(['nav', 'footer', 'aside', 'menu', 'form']);
// Furniture by their tag whatever their share of the page's text (a mega-menu can outweigh a product page).
const SURE_BOILER_TAGS = new Set(['nav', 'footer', 'menu']);
// Never furniture, whatever their class says.
const NEVER_BOILER = new Set(['html', 'body', 'main', 'article']);
/** a marked element holding more than this share of the page's non-link words is not furniture */
const MAX_BOILER_SHARE = 0.4;
/** a page with less running text than this, and LISTING_RATIO times more in a linked region, is a listing */
const LISTING_MAX_CONTENT_WORDS = 100;
const LISTING_RATIO = 3;
const LISTING_MIN_WORDS = 50;
/** a page with this many words, less than FURNITURE_PAGE_SHARE of them outside furniture containers and none kept, is a shell */
const FURNITURE_PAGE_MIN_WORDS = 20;
const FURNITURE_PAGE_SHARE = 0.1;
const META_TAGS = new Set(['html', 'meta', 'link', 'time', 'title']);
const PUBLISHED_META = /^(article:published_time|datepublished|date|dc\.date|pubdate|publishdate|og:published_time)$/;
const HIDDEN_STYLE = /display\s*:\s*none|visibility\s*:\s*hidden/i;
const BOILER_ROLE = /\b(navigation|banner|contentinfo|complementary)\b/;
// Modal dialogs (consent banners, privacy-policy popups, cart drawers) are closed when the page loads.
const DIALOG_ROLE = /\b(dialog|alertdialog)\b/;
// what text.replace(/\s+/g, ' ') changes, less the single spaces it would copy unchanged
const COLLAPSIBLE_SPACE = /\s{2,}|[^\S ]/g;
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr', 'param']);

/**
 * A collapsed accordion or tab panel (an FAQ's answers, a tab of code samples in another language): hidden until
 * its header is pressed, but the page's text. WAI-ARIA's accordion and tabs patterns mark it: role=tabpanel, or
 * role=region labelled by the header that controls it (aria-labelledby). Issue 17, third pass: the WCXB
 * references keep such panels (service pages' FAQs, documentation's tabs).
 */
function isCollapsedPanel(attribs: Record<string, string>, role: string | undefined): boolean {
  return role === 'tabpanel' || (role === 'region' && attribs['aria-labelledby'] !== undefined);
}

// Class and id words that name site furniture. Matched against the first or last part of a
// class token (site-footer, nav-menu), not the middle (content-sidebar-wrap wraps content).
export const BOILER_WORDS = new Set([
  'nav', 'navbar', 'navigation', 'menu', 'menubar', 'footer', 'sidebar', 'sidenav', 'breadcrumb', 'breadcrumbs', 'cookie', 'cookies',
  'consent', 'gdpr', 'share', 'sharing', 'social', 'socials', 'related', 'recommended', 'newsletter', 'subscribe', 'subscription',
  'signup', 'promo', 'advert', 'advertisement', 'ad', 'ads', 'adsense', 'sponsor', 'sponsored', 'popup', 'modal', 'pagination', 'pager',
  'toolbar', 'masthead', 'skip', 'banner', 'topbar', 'bottombar', 'copyright', 'disclaimer', 'tags', 'tagcloud',
  'comment-form', 'respond', 'author', 'authors', 'bio', 'byline', 'caption', 'credit', 'credits', 'donate', 'donation',
  'recirculation', 'syndication', 'login', 'search', 'searchbox', 'outbrain', 'taboola', 'trending', 'most-read', 'mostread', 'more-stories',
  // calls to action (collection-cta, rich-text-cta), the placeholders a consent tool leaves where an embed
  // would be, and paywall and membership boxes (issue 17; `meta` was tried: post-meta wrappers hold content too)
  'cta', 'placeholder', 'paywall', 'membership',
  // customer reviews under a product and comments under an article (a review article's own body, or a
  // forum's posts, hold most of their page: the marks are undone below)
  'reviews', 'review', 'comments', 'comment',
  // a forum post's poster box and signature (phpBB's postprofile and signature, XenForo's message-userExtras and
  // userTitle, IPS's ipsEntry__authorStats): the poster's rank, join date and post count, not the post (issue 17,
  // third pass: forum pages' precision on WCXB dev 0.78 -> 0.82)
  'signature', 'postprofile', 'userextras', 'usertitle', 'userbanner', 'authorstats', 'userinfo', 'user-info', 'userstats',
]);

// Comments under an article are not its text (trafilatura keeps them apart too), but on a forum they are
// the content: comment marks are undone when the marked elements hold most of the page's text.
export const COMMENT_WORDS = new Set(['comments', 'comment']);
const MAX_COMMENT_SHARE = 0.5;
/**
 * Comments are kept as a forum's posts only while the text outside comment and furniture marks is shorter than
 * this: a post of this length with a longer thread of comments under it is an article (issue 17, fourth pass:
 * the Readability set's check half 0.946 -> 0.953; WCXB forum pages unchanged).
 */
const ARTICLE_ABOVE_COMMENTS_WORDS = 600;

// Furniture only as the last part: site-search is, search-results (a listing's items) is not.
export const LAST_PART_ONLY = new Set(['search', 'reviews', 'review']);
// Class tokens that state a modifier, not what the element is: has-sidebar, no-ads, hide-read-more-ad.
export const STATE_PREFIXES = new Set(['has', 'with', 'without', 'no', 'hide', 'hidden', 'show', 'is', 'disable', 'disabled', 'enable']);

/** the longest word in BOILER_WORDS and STATE_PREFIXES: longer tokens and parts are not looked up */
const MAX_BOILER_WORD = Math.max(...[...BOILER_WORDS, ...STATE_PREFIXES].map((w) => w.length));

/** `s.slice(a, b)` when it may be a furniture word, else undefined (no string made for long tokens) */
function wordAt(s: string, a: number, b: number): string | undefined {
  return b - a <= MAX_BOILER_WORD ? (a === 0 && b === s.length ? s : s.slice(a, b)) : undefined;
}

const isPartSeparator = (c: number) => c === 0x2d /* - */ || c === 0x5f; /* _ */

/**
 * The furniture word the class/id token s[a, b) names, if any: the whole token, or its first or last
 * part split at runs of - and _. Index scans, not split(): this runs on every class of every block
 * element (Tailwind pages carry dozens), and splitting made a fifth of the extractor's garbage.
 */
function boilerWord(s: string, a: number, b: number): string | undefined {
  const token = wordAt(s, a, b);
  if (token !== undefined && BOILER_WORDS.has(token)) return token;
  let i = a;
  while (i < b && isPartSeparator(s.charCodeAt(i))) i++;
  let j = i;
  while (j < b && !isPartSeparator(s.charCodeAt(j))) j++;
  let e = b;
  while (e > j && isPartSeparator(s.charCodeAt(e - 1))) e--;
  if (e <= j) return undefined; // fewer than two parts
  const first = wordAt(s, i, j);
  if (first !== undefined) {
    if (STATE_PREFIXES.has(first)) return undefined;
    if (BOILER_WORDS.has(first) && !LAST_PART_ONLY.has(first)) return first;
  }
  let k = e;
  while (!isPartSeparator(s.charCodeAt(k - 1))) k--; // stops after the separator at j at the latest
  const last = wordAt(s, k, e);
  return last !== undefined && BOILER_WORDS.has(last) ? last : undefined;
}

/** does a class/id string mark furniture: FURNITURE, or COMMENTS when comment words are all it names */
export const FURNITURE = 1;
export const COMMENTS = 2;
export function boilerAttr(cls: string): 0 | typeof FURNITURE | typeof COMMENTS {
  let found: 0 | typeof COMMENTS = 0;
  for (let i = 0; i < cls.length; ) {
    while (i < cls.length && isJsSpace(cls.charCodeAt(i))) i++;
    const start = i;
    while (i < cls.length && !isJsSpace(cls.charCodeAt(i))) i++;
    if (i === start) break;
    const word = boilerWord(cls, start, i);
    if (word === undefined) continue;
    if (!COMMENT_WORDS.has(word)) return FURNITURE;
    found = COMMENTS;
  }
  return found;
}

interface El {
  tag: string;
  /** marked as furniture by comment words alone */
  comments: boolean;
  /** role=main */
  main: boolean;
  /** named as an article's body (itemprop=articleBody, class article-body, entry-content, ...) */
  body?: boolean;
  /** content words (outside links) of the blocks keepBlock keeps with a positive weight, and the other words it keeps */
  keptGood: number;
  keptNoise: number;
  parent: El | null;
  /** marked as furniture by tag, role or class (undone when it holds much of the page's text) */
  boiler: boolean;
  /** inside a marked element (itself included) */
  inBoiler: boolean;
  /** words outside links in the subtree, to undo marks on wrappers that hold the content */
  freeWords: number;
  /** sum of block weights in the subtree */
  score: number;
  /** content words in the subtree */
  good: number;
  /** the same sums for listing pages, where link text is the content */
  listScore: number;
  listWords: number;
  /** index of the first and one past the last block in the subtree */
  firstBlock: number;
  endBlock: number;
}

interface Block {
  text: string;
  words: number;
  linkWords: number;
  el: El;
  tag: string;
  /** inside a boilerplate container (tag or class), set after parsing */
  boiler: boolean;
  /** the nearest enclosing list item / table row, for joining with single newlines */
  paragraph: boolean;
  /** says what site furniture says (furnitureText), set after parsing */
  furniture: boolean;
  /** furniture text, escaped markup or a word repeated over and over: never content, set after parsing */
  junk: boolean;
  /** its place in the page's blocks (what stood before a kept block, dropped or not) */
  index: number;
}

/** is this UTF-16 code unit part of a word? ASCII letters and digits, and any non-ASCII character
 * outside the Latin-1 symbols and the general and CJK punctuation blocks */
function isWordUnit(c: number): boolean {
  if (c < 0x80) return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
  if (c <= 0xbf) return c === 0xaa || c === 0xb5 || c === 0xba;
  if (c === 0xd7 || c === 0xf7) return false;
  return !((c >= 0x2000 && c <= 0x2bff) || (c >= 0x3000 && c <= 0x303f) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff0f));
}

/**
 * `s.toLowerCase()`, without the call where `s` is ASCII with no capitals (the common class or id).
 * Strings cut from a page with any character past U+00FF are two-byte, and V8 lowercases those
 * through ICU, a runtime call per attribute.
 */
function lowerAscii(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f || (c >= 0x41 && c <= 0x5a)) return s.toLowerCase();
  }
  return s;
}

/** words: runs of word characters (a char loop: this runs on every text node of every page) */
function countWords(s: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const w = isWordUnit(s.charCodeAt(i));
    if (w && !inWord) n++;
    inWord = w;
  }
  return n;
}

const SENTENCE_END = /[.!?。！？…:;"”»)]\s*$/;

/** weight of a block for choosing the content subtree: content for, link lists and furniture against */
function weight(b: Block): number {
  if (b.words === 0) return 0;
  const density = b.linkWords / b.words;
  if (b.boiler) return -b.words;
  if (density > 0.5) return -b.words * density;
  if (b.junk) return -b.words;
  const free = b.words - b.linkWords;
  if (b.words < 4 && !HEADING.has(b.tag)) return 0;
  return free * (SENTENCE_END.test(b.text) || b.words >= 15 ? 1 : 0.4);
}

// Escaped markup shown as text (a <noscript> holding "&lt;div ...&gt;"), not prose.
const MARKUP = /<\/?[a-z][a-z0-9]*[\s>\/]/gi;
function looksLikeMarkup(text: string): boolean {
  MARKUP.lastIndex = 0;
  let n = 0;
  while (MARKUP.exec(text)) if (++n >= 2) return true;
  return false;
}

/** escaped markup outside a code block (<pre> shows markup on purpose) */
function markupText(b: Block): boolean {
  return b.tag !== 'pre' && looksLikeMarkup(b.text);
}

/** a long block that repeats a handful of words (a hidden "word word word" measuring div, keyword stuffing) */
export function lowDiversity(text: string, words: number): boolean {
  if (words < 30) return false;
  // distinct lower-cased tokens among the first 400 (as new Set(text.toLowerCase().split(/\s+/, 400))),
  // counted until there are enough to say no: ordinary prose gets there within a few dozen tokens
  const n = Math.min(words, 400);
  const seen = new Set<string>();
  let tokens = 0;
  for (let i = 0; tokens < 400; tokens++) {
    const start = i;
    while (i < text.length && !isJsSpace(text.charCodeAt(i))) i++;
    seen.add(lowerAscii(text.slice(start, i)));
    if (!(seen.size / n < 0.1)) return false;
    if (i >= text.length) break;
    while (i < text.length && isJsSpace(text.charCodeAt(i))) i++;
  }
  return true;
}

// Short blocks that say what site furniture says: consent banners, copyright lines, newsletter and
// login prompts (C4 drops lines with such policy phrases too; Raffel et al. 2020, 2.2).
const FURNITURE_TEXT =
  /\b(?:we|this (?:site|website)|our (?:site|website)) uses? cookies\b|\baccept (?:all )?cookies\b|\bcookie (?:policy|settings|preferences|consent)\b|\ball rights reserved\b|\bcopyright \u00a9|\u00a9 ?(?:19|20)\d\d\b|\b(?:subscribe to|sign up for) (?:our|the) newsletter\b|\b(?:log|sign) in to (?:comment|continue|reply|post)\b|\b(?:enable|turn on|activate) javascript\b|\bjavascript (?:is )?(?:disabled|required)\b|\b(?:does not|doesn't) (?:seem to )?support javascript\b|\bbrowser that supports javascript\b|\bunsubscribe at any time\b|\bby (?:opting in|subscribing|signing up), you agree\b/i;
const FURNITURE_MAX_WORDS = 80;
// The commonest consent phrases in German, French, Spanish and Italian.
const FURNITURE_TEXT_INTL = /\b(?:(?:schalten sie|aktivieren sie) (?:bitte )?javascript|javascript (?:ein|aktivieren|deaktiviert)|wir verwenden cookies|diese (?:web)?seite verwendet cookies|cookies helfen uns|nous utilisons des cookies|ce site utilise des cookies|utilizamos cookies|este sitio (?:web )?utiliza cookies|utilizziamo (?:i )?cookie)\b/i;
// A consent banner's long paragraph: cookies and the buttons it asks the reader to press.
const CONSENT_TEXT = /\b(?:accept all|decline all|reject all|manage (?:your )?(?:choices|preferences|settings)|withdraw (?:your )?consent)\b/i;
const CONSENT_MAX_WORDS = 250;
// A shop's buttons and badges as text, on product pages and in a category's grid: "Sold out", "In Stock", "Ready to
// ship", "Add to Compare", "Unit price per", "Sponsored". (Not a price with its label: "Regular Price $149" is a
// plan's struck-out price on a service page, and WCXB's references keep it.)
const SHOP_UI =
  /^(?:unit price\s*\/?\s*per|(?:sale\s+)?sold out|in stock|out of stock|ready to ship|add to (?:cart|bag|basket|wishlist|compare)|sponsored|only \d+ left(?: in stock)?!?)$/i;
const SHOP_UI_MAX_WORDS = 8;
const FURNITURE_ANY = new RegExp(`${FURNITURE_TEXT.source}|${FURNITURE_TEXT_INTL.source}`, 'i');
function furnitureText(b: Block): boolean {
  if (b.words > CONSENT_MAX_WORDS) return false;
  if (b.words <= FURNITURE_MAX_WORDS && FURNITURE_ANY.test(b.text)) return true;
  if (b.words <= SHOP_UI_MAX_WORDS && SHOP_UI.test(b.text)) return true;
  return /cookie/i.test(b.text) && CONSENT_TEXT.test(b.text);
}

/** is a block kept inside the chosen content subtree? */
function keepBlock(b: Block, rootBoiler: boolean): boolean {
  if (b.words === 0 && !/\S/.test(b.text)) return false;
  if (b.junk) return false;
  if (b.boiler && !rootBoiler) return false;
  const density = b.words ? b.linkWords / b.words : 0;
  if (HEADING.has(b.tag)) return density < 0.8;
  if (density > 0.6) return false;
  if (density > 0.35 && b.words < 15) return false;
  return true;
}

/** jusText-style keep rule when no content subtree stands out: only clearly textual blocks */
function keepPageBlock(b: Block): boolean {
  if (b.boiler || b.words === 0 || b.junk) return false;
  const density = b.linkWords / b.words;
  if (density > 0.3) return false;
  if (HEADING.has(b.tag)) return true;
  return b.words >= 10 || SENTENCE_END.test(b.text);
}

// Raw-text elements and comments are half the bytes of a modern page and none of its text.
const RAW_TAGS = ['script', 'style', 'svg'];

/**
 * Cut <script>, <style>, <svg> bodies and comments before parsing (indexOf scans, linear: an
 * unclosed one ends the cutting, it never rescans). Names compare ASCII-case-insensitively in place:
 * lowercasing the page first cost a copy of it (through ICU for any page with a character past
 * U+00FF) and could shift offsets where lowercasing changes a string's length (U+0130).
 */
export function stripRawText(html: string): string {
  return rawTextFreeParts(html).join(' ');
}

/** stripRawText's pieces of the page, unjoined (slices of `html`: fastExtract feeds them to the parser one by one) */
export function rawTextFreeParts(html: string): string[] {
  const parts: string[] = [];
  let pos = 0;
  let scan = 0;
  for (;;) {
    const lt = html.indexOf('<', scan);
    if (lt === -1 || lt + 1 >= html.length) break;
    scan = lt + 1;
    const c = html.charCodeAt(lt + 1);
    let end = -1;
    if (c === 0x21 /* ! */) {
      // A CDATA marker in HTML is a bogus comment in browsers, but htmlparser2 reads it as the
      // start of a CDATA section and swallows the rest of the page: drop the marker.
      if (startsWithAsciiCi(html, '![cdata[', lt + 1)) {
        parts.push(html.slice(pos, lt));
        pos = scan = lt + 9;
        continue;
      }
      if (!html.startsWith('!--', lt + 1)) continue;
      const close = html.indexOf('-->', lt + 4);
      if (close === -1) break;
      end = close + 3;
    } else if ((c | 0x20) === 0x73 /* s or S */) {
      const name = rawTagAt(html, lt + 1);
      if (!name) continue;
      const after = html.charCodeAt(lt + 1 + name.length);
      // the name must end there: <script> <script ...> <svg/>, not <scripts> or <styled-x>
      if (!(after === 0x3e || after === 0x2f || after === 0x20 || after === 0x0a || after === 0x09 || after === 0x0d)) continue;
      const close = indexOfEndTag(html, name, lt + name.length + 1);
      if (close === -1) break;
      const gt = html.indexOf('>', close);
      if (gt === -1) break;
      end = gt + 1;
    } else continue;
    parts.push(html.slice(pos, lt));
    pos = scan = end;
  }
  parts.push(html.slice(pos));
  return parts;
}

/** whether `s` has `lower` (lowercase ASCII) at `at`, with ASCII letters of `s` in either case */
function startsWithAsciiCi(s: string, lower: string, at: number): boolean {
  if (at + lower.length > s.length) return false;
  for (let i = 0; i < lower.length; i++) {
    let c = s.charCodeAt(at + i);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** the raw-text element name at `at` (any case), if any */
function rawTagAt(s: string, at: number): string | undefined {
  for (const t of RAW_TAGS) if (startsWithAsciiCi(s, t, at)) return t;
  return undefined;
}

/** where `</name` (any case) starts at or after `from`, or -1 */
function indexOfEndTag(s: string, name: string, from: number): number {
  for (let i = s.indexOf('</', from); i !== -1; i = s.indexOf('</', i + 2)) if (startsWithAsciiCi(s, name, i + 2)) return i;
  return -1;
}

type OpenEntry = { tag: string; el?: El; skip: boolean; link: boolean; pre: boolean };

/**
 * The SAX pass of fastExtract: htmlparser2's callbacks as methods of one class, the page's state in its
 * fields. Methods, not closures made anew for each page: V8 then optimizes the handlers once per process
 * rather than again for each new set of closures (they were re-optimized 25-29 times per 4 x 20 MB).
 */
class PageWalker {
  readonly root: El = { tag: '#root', main: false, comments: false, keptGood: 0, keptNoise: 0, parent: null, boiler: false, inBoiler: false, freeWords: 0, score: 0, good: 0, listScore: 0, listWords: 0, firstBlock: 0, endBlock: 0 };
  readonly blocks: Block[] = [];
  readonly els: El[] = [this.root];
  cur: El = this.root;
  skipDepth = 0; // >0 while inside a SKIP or hidden element (1 at most: nothing inside is looked at)
  skipHidden = false; // the skipped element is one hidden by attribute or style
  hiddenWords = 0;
  tagAttributes = 0; // attributes of the tag being read
  maxTagAttributes = 0;
  linkDepth = 0;
  preDepth = 0;
  text = '';
  linkText = 0; // words of `text` inside links
  blockEl: El = this.root;
  readonly meta: { title?: string; lang?: string; canonical?: string; published?: string; ogTitle?: string } = {};
  inTitle = false;
  titleText = '';
  // a stack of open elements, with whether each was skipped, boiler, a link, pre
  readonly open: OpenEntry[] = [];

  constructor(readonly opts: FastOptions) {}

  flush(): void {
    const text = this.text;
    const raw = this.preDepth ? text.replace(/^\n+|\s+$/g, '') : text.replace(COLLAPSIBLE_SPACE, ' ').trim();
    if (raw) {
      const blockEl = this.blockEl;
      const b: Block = {
        text: raw,
        words: countWords(raw),
        linkWords: this.linkText,
        el: blockEl,
        tag: blockEl.tag,
        boiler: false,
        paragraph: PARAGRAPH.has(blockEl.tag),
        furniture: false,
        junk: false,
        index: this.blocks.length,
      };
      this.blocks.push(b);
    }
    this.text = '';
    this.linkText = 0;
  }

  onattribute(): void {
    this.tagAttributes++;
  }

  onopentag(tag: string, attribs: Record<string, string>): void {
    // (lowerCaseTags: tag names arrive lower-cased)
    if (this.tagAttributes > this.maxTagAttributes) this.maxTagAttributes = this.tagAttributes;
    this.tagAttributes = 0;
    if (META_TAGS.has(tag)) this.readMeta(tag, attribs);
    if (VOID.has(tag)) {
      if (this.skipDepth === 0) {
        if (tag === 'br') this.text += '\n';
        else if (tag === 'hr') this.flush();
      }
      return;
    }
    if (this.skipDepth > 0) {
      // inside skipped content only the nesting matters
      this.open.push({ tag, skip: false, link: false, pre: false });
      return;
    }
    const style = attribs.style;
    const role = attribs.role;
    // hidden by attribute or style: what scripts reveal (React's streamed <div hidden>, a
    // content lock), kept when opts.revealHidden asks for a second look at a page found empty
    // (aria-hidden too: a page behind an open consent dialog is aria-hidden whole); a collapsed accordion or
    // tab panel is read (isCollapsedPanel), and so is a <button> in a heading, an accordion's header
    const reveal = this.opts.revealHidden;
    const byAttributeOrStyle = reveal !== 'except-aria-hidden' && ('hidden' in attribs || (style !== undefined && HIDDEN_STYLE.test(style)));
    const hidden = reveal !== true && (byAttributeOrStyle || attribs['aria-hidden'] === 'true') && !isCollapsedPanel(attribs, role);
    const skip =
      (SKIP.has(tag) && !(tag === 'button' && this.insideHeading())) ||
      hidden ||
      attribs['aria-modal'] === 'true' ||
      (role !== undefined && DIALOG_ROLE.test(role));
    // custom elements with an href (<dropdown-item href>) are links too
    const link = tag === 'a' || (attribs.href !== undefined && !BLOCK.has(tag));
    const pre = tag === 'pre';
    const entry: OpenEntry = { tag, skip, link, pre };
    if (skip) {
      this.skipDepth++;
      this.skipHidden = hidden && !SKIP.has(tag);
    } else if (BLOCK.has(tag)) {
      this.flush();
      let boiler = false;
      let comments = false;
      if (!NEVER_BOILER.has(tag)) {
        boiler = BOILER_TAGS.has(tag) || (tag === 'header' && !this.insideContent()) || (role !== undefined && BOILER_ROLE.test(role));
        if (!boiler) {
          // class and id each on their own (one concatenated string was a copy per element): a
          // furniture word in either marks the element; comment words alone give COMMENTS
          const cls = attribs.class;
          const id = attribs.id;
          const a = cls ? boilerAttr(lowerAscii(cls)) : 0;
          const b = a === FURNITURE || !id ? a : boilerAttr(lowerAscii(id));
          const mark = a === FURNITURE || b === FURNITURE ? FURNITURE : a || b;
          boiler = mark !== 0;
          comments = mark === COMMENTS;
        }
      }
      const el: El = { tag, main: role === 'main', comments, keptGood: 0, keptNoise: 0, parent: this.cur, boiler, inBoiler: false, freeWords: 0, score: 0, good: 0, listScore: 0, listWords: 0, firstBlock: this.blocks.length, endBlock: 0 };
      if (attribs.itemprop === 'articleBody' || (attribs.class !== undefined && BODY_MARK.test(attribs.class)) || (attribs.id !== undefined && BODY_MARK.test(attribs.id))) el.body = true;
      this.els.push(el);
      this.cur = el;
      this.blockEl = el;
      entry.el = el;
    } else if ((tag === 'td' || tag === 'th') && this.text.trim()) this.text += ' | ';
    if (link) this.linkDepth++;
    if (pre) this.preDepth++;
    this.open.push(entry);
  }

  ontext(data: string): void {
    if (this.inTitle) this.titleText += data;
    if (this.skipDepth > 0) {
      if (this.skipHidden) this.hiddenWords += countWords(data);
      return;
    }
    this.text += data;
    if (this.linkDepth > 0) this.linkText += countWords(data);
  }

  onclosetag(tag: string): void {
    // (lowerCaseTags: names arrive lower-cased, as in onopentag)
    if (tag === 'title') this.inTitle = false;
    if (VOID.has(tag)) return;
    // htmlparser2 closes implied elements itself; pop to the matching entry
    const open = this.open;
    let i = open.length - 1;
    while (i >= 0 && open[i]!.tag !== tag) i--;
    if (i < 0) return;
    while (open.length > i) {
      const e = open.pop()!;
      if (e.el) {
        this.flush();
        e.el.endBlock = this.blocks.length;
        this.cur = e.el.parent ?? this.root;
        this.blockEl = this.cur;
      }
      if (e.skip) this.skipDepth--;
      if (e.link) this.linkDepth--;
      if (e.pre) this.preDepth--;
    }
  }

  readMeta(tag: string, attribs: Record<string, string>): void {
    const meta = this.meta;
    if (tag === 'html') {
      if (attribs.lang && !meta.lang) meta.lang = attribs.lang.toLowerCase();
    } else if (tag === 'meta') {
      const prop = (attribs.property ?? attribs.name ?? attribs.itemprop ?? '').toLowerCase();
      if (prop === 'og:title' && attribs.content) meta.ogTitle = attribs.content.trim();
      else if (!meta.published && PUBLISHED_META.test(prop) && attribs.content) meta.published = attribs.content.trim();
    } else if (tag === 'link') {
      if (/\bcanonical\b/i.test(attribs.rel ?? '') && attribs.href) meta.canonical = attribs.href.trim();
    } else if (tag === 'time') {
      if (!meta.published && attribs.datetime) meta.published = attribs.datetime.trim();
    } else if (tag === 'title' && !meta.title) this.inTitle = true;
  }

  /**
   * is a heading element open (a few levels up)? A <button> there is an accordion's header (WAI-ARIA's pattern:
   * <h3><button aria-expanded>Question</button></h3>): its label is the section's heading, not a control's
   */
  insideHeading(): boolean {
    const open = this.open;
    for (let i = open.length - 1, n = 0; i >= 0 && n < 3; i--, n++) if (HEADING.has(open[i]!.tag)) return true;
    return false;
  }

  insideContent(): boolean {
    const open = this.open;
    for (let i = open.length - 1; i >= 0; i--) if (open[i]!.tag === 'article' || open[i]!.tag === 'main') return true;
    return false;
  }
}

export function fastExtract(html: string, opts: FastOptions = DEFAULT_FAST_OPTIONS): FastExtracted {
  const walker = new PageWalker(opts);
  const parser = new Parser(walker, { decodeEntities: true, lowerCaseTags: true, recognizeSelfClosing: true });
  const { root, blocks, els, open, meta } = walker;
  const started = performance.now();
  // the page without its raw-text elements, written piece by piece with a space for each cut (what
  // stripRawText joins; joining copied the page again), in slices of at most PARSE_SLICE_CHARS
  const parts = rawTextFreeParts(html);
  const checkDeadline = () => {
    if (opts.deadline !== undefined && performance.now() > opts.deadline) throw new ExtractTimeout(performance.now() - started);
  };
  let sinceCheck = 0;
  for (let p = 0; p < parts.length; p++) {
    if (p > 0) parser.write(' ');
    const part = parts[p]!;
    for (let i = 0; i < part.length; i += PARSE_SLICE_CHARS) {
      const slice = part.length <= PARSE_SLICE_CHARS ? part : part.slice(i, i + PARSE_SLICE_CHARS);
      parser.write(slice);
      if ((sinceCheck += slice.length) >= PARSE_SLICE_CHARS) {
        sinceCheck = 0;
        checkDeadline();
      }
    }
  }
  checkDeadline();
  parser.end();
  walker.flush();
  // a tag cut off by the end of the page never reaches onopentag
  if (walker.tagAttributes > walker.maxTagAttributes) walker.maxTagAttributes = walker.tagAttributes;
  root.endBlock = blocks.length;
  for (const e of open) if (e.el && !e.el.endBlock) e.el.endBlock = blocks.length;

  meta.title = (walker.titleText.replace(/\s+/g, ' ').trim() || meta.ogTitle) ?? undefined;
  const base = { title: meta.title, lang: meta.lang, canonical: meta.canonical, published: meta.published, hiddenWords: walker.hiddenWords, maxTagAttributes: walker.maxTagAttributes };
  if (blocks.length === 0) return { ...base, text: '', strategy: 'empty' };

  // Per-element sums, accumulated bottom-up: `els` is in document order, so children follow
  // their parents and a reverse pass adds each element into its parent once.
  for (const b of blocks) b.el.freeWords += b.words - b.linkWords;
  for (let i = els.length - 1; i > 0; i--) els[i]!.parent!.freeWords += els[i]!.freeWords;
  // A furniture mark on an element holding much of the page's non-link text is wrong (body
  // classes like `ehf-footer`, wrappers named `*-menu`): undo it, then mark the subtrees.
  const pageFree = root.freeWords;
  for (const e of els) if (e.boiler && !SURE_BOILER_TAGS.has(e.tag) && e.freeWords > MAX_BOILER_SHARE * pageFree) e.boiler = false;
  // comment marks holding most of the page's text together: a forum thread, not comments under an article,
  // unless what stands outside them and outside furniture is an article's length (a long comment thread under a post)
  // (the words of the outermost comment marks, and of the outermost other furniture marks)
  let commentWords = 0;
  let otherBoiler = 0;
  for (const e of els) {
    if (!e.boiler) continue;
    let outerComment = true;
    let outerAny = true;
    for (let a = e.parent; a && outerComment; a = a.parent) {
      if (!a.boiler) continue;
      outerAny = false;
      if (a.comments) outerComment = false;
    }
    if (e.comments) {
      if (outerComment) commentWords += e.freeWords;
    } else if (outerAny) otherBoiler += e.freeWords;
  }
  const keepComments = commentWords > MAX_COMMENT_SHARE * pageFree && pageFree - commentWords - otherBoiler < ARTICLE_ABOVE_COMMENTS_WORDS;
  for (const e of els) {
    if (keepComments && e.comments) e.boiler = false;
    e.inBoiler = e.boiler || (e.parent?.inBoiler ?? false);
  }
  for (const b of blocks) {
    b.boiler = b.el.inBoiler;
    b.furniture = furnitureText(b);
    b.junk = b.furniture || markupText(b) || lowDiversity(b.text, b.words);
    const w = weight(b);
    b.el.score += w;
    b.el.good += w > 0 ? b.words - b.linkWords : 0;
    const listFurniture = b.boiler || b.furniture;
    b.el.listScore += listFurniture ? -b.words : b.words;
    b.el.listWords += listFurniture ? 0 : b.words;
    if (keepBlock(b, false)) {
      if (w > 0) {
        b.el.keptGood += b.words - b.linkWords;
        b.el.keptNoise += b.linkWords;
      } else b.el.keptNoise += b.words;
    }
  }
  for (let i = els.length - 1; i > 0; i--) {
    const e = els[i]!;
    const p = e.parent!;
    p.score += e.score;
    p.good += e.good;
    p.listScore += e.listScore;
    p.listWords += e.listWords;
    p.keptGood += e.keptGood;
    p.keptNoise += e.keptNoise;
  }
  const pageGood = root.good;

  // The content subtree: the element with the largest score.
  let best = root;
  let bestList = root;
  for (const e of els) {
    if (e.score > best.score) best = e;
    if (e.listScore > bestList.listScore) bestList = e;
  }
  const trusted = best.good >= opts.minRootShare * pageGood && best.good > 0;
  const picked: Block[] = [];
  // A listing (search results, category pages, link collections): little running text, much
  // more text in one furniture-free region of linked items. Take that region whole.
  if (best.good < LISTING_MAX_CONTENT_WORDS && bestList.listWords >= LISTING_MIN_WORDS && bestList.listWords > LISTING_RATIO * Math.max(best.good, 1)) {
    for (let i = bestList.firstBlock; i < bestList.endBlock; i++) {
      const b = blocks[i]!;
      if ((!b.boiler || bestList.inBoiler) && b.words > 0 && !b.furniture && !markupText(b)) picked.push(b);
    }
    if (picked.length) return { ...base, text: joinBlocks(picked), strategy: 'listing' };
  }
  if (trusted) best = widen(best);
  // what follows the article's named body inside the content subtree is the template's (see bodyEnd)
  const end = trusted ? bodyEnd(best, els) : best.endBlock;
  if (trusted) {
    for (let i = best.firstBlock; i < end; i++) {
      const b = blocks[i]!;
      if (keepBlock(b, best.inBoiler)) picked.push(b);
    }
  }
  if (trusted) trimTail(picked);
  if (trusted) dropArticleFurniture(picked, [meta.title, meta.ogTitle], blocks);
  const strategy = trusted && picked.length ? 'content' : 'page';
  if (strategy === 'page') for (const b of blocks) if (keepPageBlock(b)) picked.push(b);
  dropRepeats(picked);
  if (!picked.length) {
    // nothing kept and nearly all words in furniture containers: a shell whose content a script renders
    let allWords = 0;
    for (const b of blocks) allWords += b.words;
    if (allWords >= FURNITURE_PAGE_MIN_WORDS && root.listWords < FURNITURE_PAGE_SHARE * allWords) return { ...base, text: '', strategy: 'furniture' };
  }
  return { ...base, text: joinBlocks(picked), strategy };
}

/** content words in an element's kept blocks, less the words of kept blocks that are not content (short lines, link text) */
function keptBalance(e: El): number {
  return e.keptGood - WIDEN_NOISE_COST * e.keptNoise;
}

/**
 * The highest-scoring subtree is often one section of a page whose content is split across sibling
 * sections (service and landing pages, product pages with description and specs apart). Climb to an
 * ancestor while it keeps clearly more content than noise, not past an <article> or <main> (nor
 * from one: a page's own article is whole, and what surrounds it is teasers and related links).
 */
const WIDEN_NOISE_COST = 1;
const WIDEN_GAIN = 1.2;
const WIDEN_MIN_WORDS = 20;
function widen(best: El): El {
  if (isContentElement(best)) return best;
  let cand = best;
  for (let a = best.parent; a; a = a.parent) {
    if (keptBalance(a) > WIDEN_GAIN * keptBalance(cand) + WIDEN_MIN_WORDS) cand = a;
    if (isContentElement(a)) break;
  }
  return cand;
}

/**
 * An article's body as the page names it: itemprop=articleBody, or a class or id such as article-body,
 * entry-content, post-content, story-body, blog-text (the names trafilatura's BODY_XPATH looks for first).
 * Inside the content subtree, what follows the end of the named body is the template's (the author's box,
 * related stories, share bars, a comments teaser); what precedes it (headline, standfirst, byline) is left
 * to dropArticleFurniture: the references keep a standfirst as often as not. An article split into several
 * named parts (paragraphs each marked, a body cut by advertisements) ends with the last of them: the cut is
 * at the end of the marked elements' lowest common ancestor. Issue 17, fourth pass: WCXB article pages'
 * shingle precision 0.920 -> 0.925 (dev half), 0.936 -> 0.940 (check), trafilatura's 0.898 -> 0.906 / 0.895 -> 0.902.
 */
const BODY_MARK = /(?:^|[^a-z0-9])(?:article|entry|post|story|blog|news)[-_]{0,2}(?:body|content|text|copy)(?:$|[^a-z0-9])/i;
/** the named body must keep at least this share of the subtree's content (else the name is a teaser's, a sidebar's) */
const BODY_MIN_SHARE = 0.4;

/** where the kept blocks of the content subtree `best` end: the end of its named body (see BODY_MARK), else its own end */
function bodyEnd(best: El, els: El[]): number {
  if (best.body) return best.endBlock;
  for (let a = best.parent; a; a = a.parent) if (a.body) return best.endBlock;
  // the outermost named elements inside best that keep content, and the path from best down to their common ancestor
  let path: El[] | undefined;
  for (let i = els.indexOf(best) + 1; i < els.length && els[i]!.firstBlock < best.endBlock; i++) {
    const e = els[i]!;
    if (!e.body || keptBalance(e) <= 0) continue;
    const up: El[] = [];
    let inside = false;
    let nested = false;
    for (let a: El | null = e; a; a = a.parent) {
      if (a === best) {
        inside = true;
        break;
      }
      if (a !== e && a.body) nested = true;
      up.push(a);
    }
    if (!inside || nested) continue;
    up.reverse();
    if (!path) path = up;
    else {
      let k = 0;
      while (k < path.length && k < up.length && path[k] === up[k]) k++;
      path.length = k;
    }
    if (path.length === 0) return best.endBlock; // the named parts' common ancestor is best itself
  }
  const lca = path?.[path.length - 1];
  return lca && keptBalance(lca) >= BODY_MIN_SHARE * keptBalance(best) ? lca.endBlock : best.endBlock;
}

function isContentElement(e: El): boolean {
  return e.tag === 'article' || e.tag === 'main' || e.main;
}

/**
 * What trails the last paragraph of an article inside its container is rarely content: "Explore
 * further", "More on this topic", a lone heading over the related links, a photo credit. Drop
 * trailing headings and short lines that do not end a sentence.
 */
const TAIL_MAX_WORDS = 10;
const TAIL_MIN_PARAGRAPHS = 4;
function trimTail(blocks: Block[]): void {
  // only under running text: on service and listing pages the short lines are the content
  let paragraphs = 0;
  for (const b of blocks) if (b.words >= 25 && SENTENCE_END.test(b.text)) paragraphs++;
  if (paragraphs < TAIL_MIN_PARAGRAPHS) return;
  while (blocks.length > 1) {
    const b = blocks[blocks.length - 1]!;
    if (!(HEADING.has(b.tag) || (b.words < TAIL_MAX_WORDS && !SENTENCE_END.test(b.text)))) break;
    blocks.pop();
  }
}

// Article furniture inside the content subtree (issue 17): the lines a news or blog template puts around
// and between an article's paragraphs that no class name gives away. Each rule is a short block's text
// or its place (the page's own title heading first, a heading over related links); none names a site.
/** blocks over this many words are never furniture by their text */
const ARTICLE_FURNITURE_MAX_WORDS = 40;
/** and the rules run only under running text: on service and product pages the short lines are the content */
const ARTICLE_MIN_PARAGRAPHS = 2;
// English month names, then the German, French, Spanish and Italian ones that differ from them (a dateline
// reads "Dienstag, 4. Juni 2019" or "2 de febrero de 2022" as often as "June 4, 2019" in the dev sets)
const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?' +
  '|januar|j\u00e4nner|februar|m\u00e4rz|mai|juni|juli|okt(?:ober)?|dez(?:ember)?' +
  '|janvier|f\u00e9vrier|mars|avril|juin|juillet|ao\u00fbt|septembre|octobre|novembre|d\u00e9cembre' +
  '|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre' +
  '|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre)\\.?';
const DATE = `(?:${MONTH}\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}|\\d{1,2}(?:st|nd|rd|th|\\.)?\\s+(?:of\\s+|de\\s+)?${MONTH},?\\s+(?:de\\s+)?\\d{4}|\\d{1,4}[./-]\\d{1,2}[./-]\\d{2,4})`;
/** a date in month names or digits */
const HAS_DATE = new RegExp(`\\b${DATE}\\b`, 'i');
// What a dateline or byline says besides the date and the names: removed, the rest must be a name or nothing.
const DATELINE_WORDS = new RegExp(
  `\\b(?:${DATE}|${MONTH}|(?:mon|tues|wednes|thurs|fri|satur|sun)day|(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|mi\u00e9rcoles|jueves|viernes|s\u00e1bado|domingo)|\\d{1,2}[:.]\\d{2}(?:\\s*[ap]\\.?m\\.?)?|[ap]\\.?m\\.?|(?:[ecmp][sd]t|gmt|utc|et|pt|ist|cet|cest|bst)|published|updated|posted|last|modified|page|on|at|by|and|ver\u00f6ffentlicht|ver\u00f6ffentlichung|aktualisiert|stand|am|um|uhr|publi\u00e9|mis \u00e0 jour|le|publicado|actualizado|el|de|del|written|edited|reviewed|fact[- ]checked|medically|date|time|read(?:ing)?|mins?|minutes?|\\d+)\\b`,
  'gi',
);
/** "By Jane Doe", "Written by ...", a bare "By" or "Edited by": a byline of at most a few names */
const BYLINE = /^(?:(?:written|posted|edited|reviewed|fact[- ]checked|medically reviewed|words|story|text|reporting)\s+)?by\b(?:\s*:)?(?:\s+\S+){0,6}$|^(?:author|autor|auteur|autore|von|par|por)\s*:?\s+\p{Lu}\S*(?:\s+\S+){0,4}$/iu;
/** "5 min read", "17 minutes read", "Reading time: 4 minutes" */
const READ_TIME = /^(?:reading time:?\s*)?\d+\s*(?:min(?:ute)?s?\.?)(?:\s+(?:read|reading|to read))?$/i;
/** photo captions' credits and agency lines */
const CREDIT = /(?:^|[|(\u2014\u2013-]\s*)(?:photo(?:graph)?|image|picture|illustration|foto|bild)s?(?:\s+credit)?\s*(?::|by\b|courtesy\b|\u00a9|via\b)|\b(?:getty images|shutterstock|istock(?:photo)?|ap photo|afp via|reuters\/|courtesy of)\b|^(?:credit|source|quelle|crédit)s?\s*:|^cr\u00e9dits? photos?\s*:/i;
/**
 * a caption's or a photo's copyright credit: a line that starts with ©, or ends with one and a short name
 * ("Chloe Kim will es wissen. © AFP / KIRILL KUDRYAVTSEV", "© Nordex SE / U. Mertens", "Textquelle: © LAOLA1.at")
 */
const COPYRIGHT_CREDIT = /^\s*\u00a9|(?:^|[\s|])\u00a9\s*[\p{Lu}\p{N}][^\u00a9]{0,60}$/u;
/** "Advertisement", "ADVERTISEMENT - Scroll to continue reading", "Story continues below advertisement" */
const AD_LABEL = /^(?:advertisement|advertising|advert|ad|anzeige|werbung|publicit\u00e9|publicidad|pubblicit\u00e0|sponsored(?: (?:content|by))?|supported by|paid content|presented by|(?:story|article) continues below(?: (?:advertisement|this ad))?|continue reading below)\b[\s.:\u2014\u2013-]*(?:(?:scroll|continue) (?:down )?to (?:continue )?reading\.?|continue reading below\.?|story continues below\.?)?$/i;
/** paywall, sign-up and membership prompts */
const SUBSCRIBE_PROMPT = /\b(?:already (?:have an account|a (?:subscriber|member))|subscribe (?:now|today)|to (?:read|continue reading|keep reading) (?:the (?:rest|full)(?: of)? )?(?:this|the) (?:story|article)|(?:article|story|content) is (?:exclusive|only available|available only) (?:to|for)|unlock (?:this|the full) (?:article|story)|create (?:a )?free account|(?:sign up|register) (?:for free|now|today)|get (?:our|the) (?:free )?newsletter|(?:join|subscribe to) (?:our|the) (?:free )?(?:newsletter|mailing list)|(?:delivered|sent) (?:straight |right |directly )?to your inbox|enter your (?:e-?mail|email address) (?:below |here )?to (?:receive|get|subscribe)|subscribe to (?:our|the) (?:free )?(?:daily|weekly|monthly) newsletter|receive notifications (?:about|of) new (?:posts|articles)|sign up (?:for|to) (?:our|the)\b|to view the (?:full|whole|rest of the) (?:story|article)|(?:instant|immediate|unlimited) (?:online )?access to (?:all|the|this)\b|pour (?:lire la suite|acc\u00e9der en illimit\u00e9)|(?:jetzt|hier) (?:abonnieren|registrieren)|weiterlesen mit\b)/i;
/** a share bar as text: the networks' names and share verbs only */
const SHARE_BAR = /^(?:(?:share|shares|tweet|email|e-mail|print|pin|save|copy link|link copied|facebook|twitter|x|linkedin|whatsapp|reddit|pinterest|telegram|flipboard|messenger|on|this|article|story|post|via)(?:[\s|,\u00b7\u2022:/]+|$))+$/i;
/** "Tags: a, b", "Filed under: ..." "Topics: ..." */
const TAG_LINE = /^(?:tags?|tagged(?: with)?|topics?|filed under|categories|category|keywords|schlagw\u00f6rter|themen|markiert mit|mots-cl\u00e9s|etiquetas)\s*[:|]|^(?:markiert mit|tagged with|filed under)$/i;
/** "12 comments", "Comments 115", "No comments yet", "Leave a comment", "Join the conversation"; "3.0K Shares", "4.5 Rating" */
const COMMENT_COUNT = /^(?:\d+(?:[.,]\d+)?\s*[km]?\+?\s+(?:shares?|views?|reads?|ratings?|votes?)|\d+\s+(?:comments?|responses?|replies)|(?:comments?|responses?)\s*\(?\d+\)?|no comments(?: yet)?|leave a (?:comment|reply)|join the (?:conversation|discussion)|add (?:a )?comment|view comments|show comments)\.?$/i;
/** a byline's label without its names ("Written by" over an author box), and the player's and reader's buttons as text */
const UI_LINE = /^(?:(?:(?:written|posted|edited|reviewed|fact[- ]checked) )?by:?|read later|save (?:for later|article|story)|bookmark(?: this)?|listen to (?:this )?(?:article|story)|print (?:this )?(?:article|story)|your video will play in\b.*|latest posts by\b.{0,60}|play video|video ad feedback|(?:like )?loading(?: [\w-]+)?(?:\.{3}|\u2026)?|like this:?|(?:show|hide) (?:caption|captions|sources|transcript)|(?:(?:bild|foto|quellen) (?:anzeigen|ausblenden|schlie\u00dfen)\s*){1,2})$/i;
/** what a comment form says above or below its fields */
const COMMENT_FORM = /\b(?:your email address will not be (?:published|displayed|shared)|required fields are marked|save my name, email,? and website|this site uses akismet|diese website verwendet akismet|ihre e-mail-adresse wird nicht ver\u00f6ffentlicht|para comentar debes|votre adresse e-mail ne sera pas publi\u00e9e)\b/i;
/** share and feedback prompts: "Share this article", "Was this article helpful?" */
const SHARE_PROMPT = /\b(?:share (?:this|the) (?:article|story|post|page)|(?:den |diesen )?(?:artikel|beitrag) (?:mit anderen )?(?:teilen|empfehlen)|empfiehl (?:dies|uns|diesen)|partager (?:cet|l')article|compartir (?:este|esta) (?:art\u00edculo|nota)|(?:was|is) this (?:article|page|post|story) (?:helpful|useful)|war (?:der|dieser) (?:artikel|beitrag) (?:hilfreich|n\u00fctzlich))\b/i;
/** a number alone on a line: a chart's ticks, a rating, a counter ("$263", "'17", "4.8") */
const NUMBER_ONLY = /^[^\p{L}]*\p{N}[^\p{L}]*$/u;
/** "Home > News > Story", "Home / Blog / Post" */
const BREADCRUMB = /^(?:home|start|startseite|accueil|inicio)\s*[>/\u00bb\u203a|]/i;
/** "Read more: <link>", "See also: ...", "Related: ..." lines */
const SEE_ALSO_LINE = /^(?:read (?:more|also|next)|also read|see also|related(?: (?:article|story|post|content|reading))?s?|more(?: on this)?|watch|listen|recommended|lesen sie auch|weiterlesen|mehr zum thema|lire aussi|\u00e0 lire aussi|leer m\u00e1s|lee tambi\u00e9n|zobacz (?:te\u017c|tak\u017ce)|czytaj (?:te\u017c|tak\u017ce))\s*[:|\u00bb>\u203a\u2014\u2013-]/i;
/** a heading over what is not the article: related stories, author bio, comments, tags, the table of contents */
const FURNITURE_HEADING =
  /^(?:related(?: (?:articles?|posts?|stories|story|news|content|reading|reads|resources|topics|links|coverage|searches|videos))?|(?:read|find) (?:more|also|next)|more (?:from|on|in|about|stories|articles|news|like this|to (?:read|explore)|for you)\b.*|you (?:may|might) (?:also )?(?:like|enjoy|be interested in)|recommended(?: (?:reading|for you|articles|stories|posts))?|latest(?: (?:news|posts|stories|articles|videos))?|trending(?: (?:now|stories|news|articles))?|most (?:read|popular|viewed|shared)(?: (?:\S+ )?(?:stories|articles|news|posts))?|popular(?: (?:posts|stories|articles|now))?|further reading|also read|don'?t miss|editor'?s picks?|top stories|explore more|keep reading|what to read next|up next|about the authors?|about (?:the )?(?:writer|editor)|(?:latest )?posts by\b.*|tags?|topics?|share(?: this(?: (?:article|story|post))?)?|comments?(?: \(?\d+\)?)?|\d+ comments?|leave a (?:reply|comment)|table of contents|contents|in this article|on this page|(?:other )?(?:people|readers) (?:are|also) (?:reading|read|viewed|liked)|other (?:\S+ )?(?:stories|articles|columns|posts|news)|mehr zum thema|das k\u00f6nnte (?:sie|dich) (?:auch )?interessieren|weitere (?:artikel|beitr\u00e4ge|nachrichten|themen)|lesen sie auch|auch interessant|inhaltsverzeichnis|(?:\u00e0 )?lire aussi|sur le m\u00eame sujet|(?:articles? )?(?:similaires|associ\u00e9s)|noticias relacionadas|te puede interesar|tambi\u00e9n te puede interesar|leer m\u00e1s|articoli correlati|potrebbe interessarti|zobacz (?:te\u017c|tak\u017ce)|czytaj (?:te\u017c|tak\u017ce))(?:[.:!]|\.{3}|\u2026)?$/i;
const HEADING_LEVEL = (tag: string) => tag.charCodeAt(1) - 0x30;
/** a furniture label outside a heading element: at most this many words, and its section ends at any heading */
const LABEL_MAX_WORDS = 6;
const LABEL_LEVEL = 7;
/** a line that introduces related links: "You may also be interested in the following reports:", "Recent posts on blogs I like:" */
const RELATED_INTRO =
  /^(?:(?:if you (?:liked|enjoyed) this (?:post|article|story),? )?you (?:may|might|will) (?:also )?(?:like|enjoy|be interested in)\b.{0,60}|(?:recent|more|other|related|similar|popular) (?:posts|articles|stories|reads|reports)\b.{0,40}):$/i;
// A section whose running text is not the article's either: the author's bio.
const AUTHOR_HEADING = /^(?:about the (?:authors?|writer|editor)|about (?:the )?(?:writer|editor)|(?:latest )?posts by\b)/i;
/**
 * What a forum or Q&A template says around the posts: the answer count over the answers, the prompts under the last
 * one, a post's like count, edit notice and starter badge, a closed thread's notice ("14 Answers", "Explore related
 * questions", "79 Likes", "Last edited: Sep 26, 2024", "Last edited by X on ..., edited 3 times in total.",
 * "Thread Starter", "Not open for further replies."). WCXB's forum references leave them out.
 */
const THREAD_UI =
  /^(?:\d+ (?:answers?|likes?)|start asking to get answers|find the answer to your question by asking\.?|explore related questions|see similar questions with these tags\.?|you must log in to answer this question\.?|not open for further replies\.?|thread starter|last edited:? .{0,80}|last edited by .{1,60} on .{4,40}, edited \d+ times? in total\.?)$/i;
/** "Page last modified Jan. 17, 2025 @ 01:39 PM EST", "Last updated: 3 March 2024", wherever it stands */
const LAST_MODIFIED = new RegExp(`^(?:page |this page was )?last (?:modified|updated|reviewed)(?: on)?:?\\s+.{0,12}\\b${DATE}\\b.{0,30}$`, 'i');
/** a byline that carries a date too: at most this many words, this many of them names and credentials */
const BYLINE_DATELINE_MAX_WORDS = 25;
const BYLINE_DATELINE_MAX_NAMES = 8;
/** datelines stand among the first few blocks, by the title */
const HEAD_BLOCKS = 6;
const TABLE_PART = new Set(['table', 'tr', 'td', 'th', 'thead', 'tbody', 'caption']);

function titleTokens(s: string): string[] {
  return s.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((t) => t.length > 0);
}

/** headings that say at least this share of what they say (in characters) with the page's title repeat it */
const TITLE_SIMILARITY = 0.75;

/**
 * Is the block the page's own title (the heading a template repeats above the article): a heading, or text in
 * one, whose words are mostly the <title>'s or og:title's. Readability's `_headerDuplicatesTitle` measures it
 * so: the characters of the heading's words that the title lacks, over all of the heading's, at most 0.25
 * ("What Are The Basics Of Event Planning? Beginner? Guide" under "What Are The Basics Of Event Planning:
 * Beginner's Guide"; "Guide to filing your taxes in 2025" under "... in 2024 | Consumer Financial Protection Bureau").
 */
function isTitleBlock(b: Block, titles: (string | undefined)[]): boolean {
  if (b.words > 30 || b.linkWords > b.words / 2 || !(HEADING.has(b.tag) || within(b.el, HEADING))) return false;
  const words = titleTokens(b.text);
  if (words.length === 0) return false;
  let all = 0;
  for (const w of words) all += w.length + 1;
  if (all < 9) return false; // one short word ("News") is no title
  for (const title of titles) {
    if (!title) continue;
    const tokens = titleTokens(title);
    // (or the heading holds the whole title, and more: "Title: its subtitle")
    if (tokens.join(' ').length >= 8 && ` ${words.join(' ')} `.includes(` ${tokens.join(' ')} `)) return true;
    const known = new Set(tokens);
    let missing = 0;
    for (const w of words) if (!known.has(w)) missing += w.length + 1;
    if (1 - missing / all >= TITLE_SIMILARITY) return true;
  }
  return false;
}

/**
 * A dateline or byline: "By" and a few names, or a date and, besides the words datelines use, at most a few
 * names (fewer below the article's first paragraph). Not a sentence: "Book by May 31, 2026." is an offer's terms,
 * ". Variety. Retrieved 6 May 2014." a reference.
 */
function isDateOrByline(b: Block, head: boolean): boolean {
  const text = b.text;
  // "By Jane Doe, CFP \u2013 Updated Mar 5, 2026 at 4:28 PM EST | Fact-checked by John Roe": a byline and a dateline in one
  if (head && b.words <= BYLINE_DATELINE_MAX_WORDS && /^by\b/i.test(text) && HAS_DATE.test(text) && !/[.!?]$/.test(text)) {
    if (countWords(text.replace(DATELINE_WORDS, ' ')) <= BYLINE_DATELINE_MAX_NAMES) return true;
  }
  if (b.words > 15) return false;
  if (READ_TIME.test(text)) return true;
  // below the head, "By ..." and dates are a list's items (works and their authors, posts, events)
  if (!head) return false;
  if (BYLINE.test(text)) return true;
  if (/[.!?]$/.test(text) || /^[^\p{L}\p{N}|\u2014\u2013-]/u.test(text)) return false;
  if (!HAS_DATE.test(text) && !/^(?:published|updated|posted|last (?:updated|modified)|ver\u00f6ffentlicht|aktualisiert)\b/i.test(text)) return false;
  const rest = text.replace(DATELINE_WORDS, ' ');
  return countWords(rest) <= 4;
}

/** is one short block furniture by its text (or, in the article head, a dateline or byline) */
function furnitureLine(b: Block, head: boolean): boolean {
  const text = b.text;
  if (isDateOrByline(b, head)) return true;
  if (AD_LABEL.test(text) || UI_LINE.test(text) || SHARE_BAR.test(text) || COMMENT_COUNT.test(text) || BREADCRUMB.test(text) || TAG_LINE.test(text)) return true;
  if (SEE_ALSO_LINE.test(text) && (b.words <= 20 || b.linkWords * 2 > b.words)) return true;
  if ((CREDIT.test(text) || COPYRIGHT_CREDIT.test(text)) && b.words <= 30) return true;
  if (b.words <= 12 && SHARE_PROMPT.test(text)) return true;
  if (COMMENT_FORM.test(text) || LAST_MODIFIED.test(text) || THREAD_UI.test(text)) return true;
  if (b.words <= 3 && NUMBER_ONLY.test(text) && !within(b.el, LIST_OR_TABLE)) return true;
  return SUBSCRIBE_PROMPT.test(text);
}

// Related-article teasers that no class gives away: a summary cut short ("...", "\u2026", "[\u2026]", then maybe a
// "more" link) under a linked headline, or over a "Read more" link, repeated (jusText's link-density idea, on
// the unit a teaser card is: headline link, excerpt, date).
const TRUNCATED = /(?:\.{3}|\u2026)\s*(?:\]|\)|read more|more|mehr|weiterlesen|continue reading|lire la suite|leer m\u00e1s|[\u00bb\u203a\u2192>])?\s*$/i;
const TEASER_MAX_WORDS = 80;
/** a linked headline has at most this many words */
const TEASER_HEADLINE_MAX_WORDS = 30;
const MIN_TEASERS = 2;
const MAX_TEASER_SHARE = 0.4;

/** is the kept block a teaser's summary: cut short, after a linked headline (a category or date line between them) or before a short "more" link */
function isTeaserSummary(b: Block, all: Block[]): boolean {
  if (b.words > TEASER_MAX_WORDS || HEADING.has(b.tag) || b.linkWords * 2 > b.words || !TRUNCATED.test(b.text) || within(b.el, TABLE_PART)) return false;
  for (let j = b.index - 1, seen = 0; j >= 0 && seen < 2; j--) {
    const a = all[j]!;
    // (an author line marked as furniture, between the headline and the date, does not count)
    if (a.words === 0 || (a.boiler && a.words <= 4)) continue;
    seen++;
    if (a.words <= TEASER_HEADLINE_MAX_WORDS && a.linkWords * 2 >= a.words) return true;
    if (a.words > 4) break;
  }
  const next = all[b.index + 1];
  return next !== undefined && next.words > 0 && next.words <= 4 && next.linkWords === next.words;
}

/** a teaser card (its headline, summary, source line) holds at most this many blocks */
const TEASER_CARD_MAX_BLOCKS = 6;

/**
 * Is `b` a teaser's summary under its linked headline, that headline dropped or not: the page's block before
 * it is a heading that is mostly link text, in the same small card (their nearest common container, at most
 * two levels above `b`, holds at most TEASER_CARD_MAX_BLOCKS blocks; a "see also" box inside an article's
 * body is not the card of the paragraph after it).
 */
function afterLinkedHeading(b: Block, all: Block[]): boolean {
  let j = b.index - 1;
  while (j >= 0 && all[j]!.words === 0) j--;
  const a = all[j];
  if (!a || !HEADING.has(a.tag) || a.words > TEASER_HEADLINE_MAX_WORDS || a.linkWords * 2 < a.words) return false;
  for (let x = b.el.parent, n = 0; x && n < 2; x = x.parent, n++) {
    if (a.index >= x.firstBlock && a.index < x.endBlock) return x.endBlock - x.firstBlock <= TEASER_CARD_MAX_BLOCKS;
  }
  return false;
}

/** a line that is a date and nothing else (a teaser's, below the article head) */
function isDateOnly(b: Block): boolean {
  return b.words <= 8 && HAS_DATE.test(b.text) && countWords(b.text.replace(DATELINE_WORDS, ' ')) <= 1;
}

// Appeals for money or membership that a template puts under (or inside) an article: "If you enjoyed this
// article, I'd like to ask for your support", "kept alive by reader donations", "Unterst\u00fctze ...".
const SUPPORT_PROMPT =
  /\b(?:(?:please )?(?:support|donate to) (?:us|our (?:work|journalism|mission|reporting|newsroom)|independent (?:journalism|media|reporting))\b|(?:reader|your) (?:donations?|contributions?)\b|make a (?:donation|contribution)\b|donate (?:now|today)\b|become a (?:member|patron|supporter|paying subscriber)\b|we need your (?:help|support)\b|ask (?:you )?for your support\b|(?:enjoyed|like|liked|value) (?:this|our) (?:piece|article|story|post|journalism|work)\?|unterst\u00fctze (?:uns|unsere arbeit)|unterst\u00fctzen sie (?:uns|unsere arbeit|unabh\u00e4ngigen journalismus)|wesprzyj nas|soutenez[- ]nous|ap\u00f3yanos)/i;
const SUPPORT_MAX_WORDS = 80;
// What the site asks of its readers under an article: letters to the editor, a recipe's rating, its comment
// policy, feedback and community prompts, a subscriber's offer ("Submit your letter to the editor via this form",
// "Did you make one of my recipes? Please take a moment to leave a star rating", "Note that I will only approve
// comments that ...", "Share your feedback to help improve our site!", "First-time subscribers also receive ...",
// "Werden Sie Mitglied bei ... und erhalten Sie exklusive Angebote!"). Issue 17, fifth pass.
const READER_PROMPT =
  /\b(?:submit (?:your |a )?letters? to the editor|did you (?:make|try|bake|cook) (?:this|one of (?:my|our|these)) recipes?|please (?:take a (?:moment|minute) to )?leave a (?:star )?rating\b|(?:i|we) (?:will )?only approve comments|comments are moderated|share your (?:feedback|thoughts) (?:to help|by|in the comments|below)\b|questions or feedback\? share\b|(?:first-time |new )?subscribers (?:also )?(?:receive|get|enjoy)\b|consider supporting (?:us|our)\b|werden sie (?:jetzt )?mitglied|vorteile sichern|head over to the .{1,40} community\b)/i;
// Affiliate disclosures ("We may receive compensation when you click on links to those products") and the
// prompts to follow a site elsewhere ("Follow us on Instagram", "nuestro canal de YouTube"): the site speaking
// about itself, not the article (FTC-style disclosure wording; trafilatura's references leave both out).
const SITE_NOTICE =
  /\b(?:(?:we|i) (?:may )?(?:receive|earn|get) (?:a )?(?:small )?(?:compensation|commission)\b|as an amazon associate\b|earn(?:s)? from qualifying purchases\b|(?:this|the) (?:post|article|page|story) (?:may )?contains? (?:affiliate links|references to products)\b|follow us on (?:facebook|twitter|x|instagram|tiktok|linkedin|youtube|social media)\b|(?:like|find) us on facebook\b|(?:nuestro|nuestra|unser(?:em|en)?) (?:canal|kanal) (?:de |auf )?(?:youtube|telegram|whatsapp)\b|canal de (?:youtube|telegram|whatsapp)\b|(?:this|the) (?:story|article|post|content|piece) (?:was|is) (?:developed|produced|created|brought to you) (?:in partnership with|in collaboration with|by)\b|(?:may|might|will|could) (?:receive|earn|get|make) (?:a )?(?:small )?(?:share of (?:sales|revenue)|compensation|commission|kick ?back)\b|earns? (?:us|me) (?:a )?(?:small )?commission\b|supported by commissions\b|(?:some of )?the links (?:above|below|in this (?:post|article)) are affiliate links\b|affiliate links are used\b)/i;
/** the site speaking to the reader or about itself (a prompt or a notice of at most SUPPORT_MAX_WORDS words is dropped) */
function isPrompt(b: Block): boolean {
  return SUPPORT_PROMPT.test(b.text) || SITE_NOTICE.test(b.text) || READER_PROMPT.test(b.text);
}

// An author's bio under the article, as the bio box of a template words it: a name (and credentials), then
// "is a ... writer/editor/reporter"; "About the author: ..."; "<name> has written for ...". Only below the
// article's last paragraph: the same words open profiles and interviews.
const AUTHOR_BIO =
  /^(?:(?:[Hh]i|[Hh]ello|[Hh]ey)[,!]?\s+(?:I(?:'|\u2019)m|I am|[Mm]y name is)\s+\p{Lu}[\p{L}'\u2019.-]*(?:\s+\p{Lu}[\p{L}'\u2019.-]*){0,2}[,.]|(?:about the author:?\s*)?(?:\p{Lu}[\p{L}'\u2019.-]*\s+){0,3}\p{Lu}[\p{L}'\u2019.-]*(?:,\s*[\p{Lu}.]{2,6})*,?\s+(?:\(@?[\w.]+\)\s+)?(?:(?:is|was|has been)\s+(?:a|an|the|our)\s+(?:[\p{L}-]+,?\s+){0,5}?(?:writer|editor|journalist|reporter|author|contributor|columnist|correspondent|analyst|blogger|photographer|videographer|freelancer|critic)s?\b|has (?:been )?writ(?:ten|ing) (?:for|about)\b|writes (?:for|about)\b))/u;
const AUTHOR_BIO_MAX_WORDS = 150;

/** is the element, or one of its nearest ancestors, one of `tags` */
function within(e: El, tags: ReadonlySet<string>): boolean {
  for (let a: El | null = e, n = 0; a && n < 6; a = a.parent, n++) if (tags.has(a.tag)) return true;
  return false;
}
const FIGURE = new Set(['figure']);
const LIST_OR_TABLE = new Set(['li', 'dd', 'dt', 'table', 'tr', 'td', 'th', 'ol', 'ul', 'dl', 'pre']);
/** inside a <figure> (its caption's credits, an embed's text; figcaption itself is skipped while parsing), not a table in one */
function inFigure(e: El): boolean {
  return within(e, FIGURE) && !within(e, TABLE_PART);
}

/**
 * Drop article furniture from the blocks kept in a content subtree, in place: the title heading at the top
 * (the article's text does not repeat its headline: trafilatura, Readability and the benchmarks' references
 * leave it out), datelines, bylines and reading times, captions' credits, advertisement labels, share bars,
 * tag lists, comment counts, breadcrumbs, "read more" lines and subscription prompts; and a heading that
 * names related stories, the author's bio, comments or tags, with what follows it up to the next heading
 * of its level or higher. Only where the kept text has running paragraphs (an article, not a service page).
 */
function dropArticleFurniture(blocks: Block[], titles: (string | undefined)[], all: Block[]): void {
  let paragraphs = 0;
  for (const b of blocks) if (b.words >= 25 && SENTENCE_END.test(b.text)) paragraphs++;
  if (paragraphs < ARTICLE_MIN_PARAGRAPHS) return;
  // teasers count only where they repeat (one paragraph trailing off after a link is the article's), and
  // where they are the lesser part of the text (an events or posts page is its items)
  const teasers = new Set<Block>();
  let words = 0;
  let teaserWords = 0;
  for (const b of blocks) {
    words += b.words;
    if (isTeaserSummary(b, all)) {
      teasers.add(b);
      teaserWords += b.words;
    }
  }
  if (teasers.size < MIN_TEASERS || teaserWords > MAX_TEASER_SHARE * words) teasers.clear();
  // the article's last paragraph: an author's bio below it is the template's
  let lastParagraph = -1;
  blocks.forEach((b, i) => {
    if (b.words >= 25 && SENTENCE_END.test(b.text) && !teasers.has(b) && !AUTHOR_BIO.test(b.text) && !isPrompt(b)) lastParagraph = i;
  });
  let afterTeaser = false; // the block before was a dropped teaser: its date line goes too
  let out = 0;
  let seenParagraph = false;
  let sectionLevel = 0; // >0: inside a furniture section under a heading of this level
  let bioSection = false; // the section is an author's bio: its paragraphs go too
  let afterTeaserHeading = false; // the block before was a linked heading in the section: a teaser's summary may follow
  let titleDropped = false;
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    const heading = HEADING.has(b.tag);
    if (sectionLevel > 0) {
      // the section ends at a heading of its level or higher, at running text (the article resumes under a
      // "Related" box) and at a table (data under a "Sources" or "Related resources" heading)
      // (teasers' own headings are links: an unlinked heading of any level is the article's again)
      // (a teaser's summary under its linked headline, and an author's bio, are running text that does not end it)
      const ends = heading
        ? !FURNITURE_HEADING.test(b.text) && (HEADING_LEVEL(b.tag) <= sectionLevel || b.linkWords * 2 < b.words)
        : sectionLevel === LABEL_LEVEL
          ? // under a label, only links (or the bio it names) belong to the section: "Tags" over a product's details
            (b.linkWords * 2 < b.words && !bioSection) || within(b.el, TABLE_PART)
          : (b.words >= 25 && b.linkWords * 4 < b.words && !bioSection && !afterTeaserHeading && !afterLinkedHeading(b, all)) || within(b.el, TABLE_PART);
      if (!ends) {
        afterTeaserHeading = heading && b.linkWords * 2 >= b.words;
        continue;
      }
      sectionLevel = 0;
    }
    if (teasers.has(b) || (afterTeaser && isDateOnly(b))) {
      // the teaser's date line may stand above its summary too
      if (teasers.has(b) && out > 0 && isDateOnly(blocks[out - 1]!)) out--;
      afterTeaser = true;
      continue;
    }
    afterTeaser = false;
    if (b.words <= SUPPORT_MAX_WORDS && isPrompt(b)) continue;
    if (seenParagraph && i > lastParagraph && b.words <= AUTHOR_BIO_MAX_WORDS && AUTHOR_BIO.test(b.text)) continue;
    if (b.words <= ARTICLE_FURNITURE_MAX_WORDS) {
      if (!seenParagraph && !titleDropped && isTitleBlock(b, titles)) {
        titleDropped = true;
        continue;
      }
      // (a label that is no heading element, "About the author" in a <div>, or a line that introduces related
      // links, "You may also be interested in the following reports:", opens such a section too, ended by any heading)
      const label = !heading && seenParagraph && ((b.words <= LABEL_MAX_WORDS && FURNITURE_HEADING.test(b.text)) || RELATED_INTRO.test(b.text));
      if ((heading && seenParagraph && FURNITURE_HEADING.test(b.text)) || label) {
        sectionLevel = label ? LABEL_LEVEL : HEADING_LEVEL(b.tag);
        bioSection = AUTHOR_HEADING.test(b.text);
        afterTeaserHeading = false;
        continue;
      }
      if (furnitureLine(b, !seenParagraph && i < HEAD_BLOCKS) || (!heading && !seenParagraph && FURNITURE_HEADING.test(b.text))) continue;
      if (inFigure(b.el) && !SENTENCE_END.test(b.text)) continue;
    }
    if (b.words >= 25) seenParagraph = true;
    blocks[out++] = b;
  }
  blocks.length = out;
}


// Text a page shows twice: a forum reply's quote of an earlier post, the copy a carousel or a responsive layout
// repeats (the same cards for the phone and the desktop). trafilatura's
// `deduplicate` drops repeated segments too; here only copies that stand apart from their original: a block
// of at least REPEAT_MIN_WORDS words, not in a list or table (a plan's features or an API's parameters repeat
// by design), that sits in a <blockquote> or repeats its neighbour too in another container (a run of blocks
// copied; a paragraph said twice in a row, as Readability's test pages do, is not a copy of a run, nor are
// paragraphs repeated among their siblings).
const REPEAT_MIN_WORDS = 3;
const QUOTE = new Set(['blockquote']);

/** drop, in place, the kept blocks that copy an earlier kept block (see above) */
function dropRepeats(blocks: Block[]): void {
  const candidates: Block[] = [];
  for (const b of blocks) if (b.words >= REPEAT_MIN_WORDS && !within(b.el, LIST_OR_TABLE)) candidates.push(b);
  const firstAt = new Map<string, number>();
  let drop: Set<Block> | undefined;
  // the neighbours x (of the copy) and y (of the original) say the same, and not what the block says
  const sameNeighbour = (x: Block | undefined, y: Block | undefined, b: Block) => x !== undefined && y !== undefined && x.text === y.text && x.text !== b.text;
  for (let q = 0; q < candidates.length; q++) {
    const b = candidates[q]!;
    const p = firstAt.get(b.text);
    if (p === undefined) {
      firstAt.set(b.text, q);
      continue;
    }
    const run = b.el.parent !== candidates[p]!.el.parent && (sameNeighbour(candidates[q - 1], candidates[p - 1], b) || sameNeighbour(candidates[q + 1], candidates[p + 1], b));
    if (run || within(b.el, QUOTE)) (drop ??= new Set()).add(b);
  }
  if (!drop) return;
  let out = 0;
  for (const b of blocks) if (!drop.has(b)) blocks[out++] = b;
  blocks.length = out;
}

function joinBlocks(blocks: Block[]): string {
  let out = '';
  let prevParagraph = false;
  for (const b of blocks) {
    if (out) out += b.paragraph || prevParagraph ? '\n\n' : '\n';
    out += b.text;
    prevParagraph = b.paragraph;
  }
  return out;
}
