// Email addresses: found from each '@' by a bounded scan left (local part) and right (domain), then checked
// against RFC 5321/1035 shape rules; no regex backtracking, so 1 MB of "a@a@a@..." costs one pass.
import { codeAt, isAsciiAlnum, isAsciiLetter, isDigit, type PiiMatch } from './match.js';

/** RFC 5321 4.5.3.1: local part at most 64 octets, domain at most 255 (253 in practice) */
const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;
const MAX_LABEL = 63;

const DOT = 46;
const HYPHEN = 45;

// The local part is the "common" subset [A-Za-z0-9._%+-] rather than all of RFC 5322's atext: web text wraps
// addresses in quotes, braces and slashes ('a@b.com', {a@b.com}) that atext would swallow. DataTrove's
// regex takes all of atext; with it "#@%^%#$@#$@#.com" (its own negative case) only fails on the domain.
function isLocalChar(c: number): boolean {
  return isAsciiAlnum(c) || c === DOT || c === 95 || c === 37 || c === 43 || c === HYPHEN;
}

function isLabelChar(c: number): boolean {
  return isAsciiAlnum(c) || c === HYPHEN;
}

// "logo@2x.png", "icon@3x.jpg": retina asset names, not addresses (none of these is a TLD)
const FILE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'bmp', 'ico', 'tif', 'tiff', 'css', 'js', 'mjs', 'json', 'xml', 'htm', 'html', 'php', 'pdf', 'txt', 'mp3', 'mp4', 'wav', 'woff', 'woff2', 'ttf']);

export function findEmails(text: string, out: PiiMatch[]): void {
  let from = 0;
  for (let at = text.indexOf('@', from); at >= 0; at = text.indexOf('@', from)) {
    from = at + 1;
    const start = localStart(text, at);
    if (start < 0) continue;
    const end = matchEmailAt(text, start, at);
    if (end < 0) continue;
    out.push({ type: 'email', start, end });
    from = end;
  }
}

/** start of the local part before '@' at `at`, or -1 when there is none or it is too long */
function localStart(text: string, at: number): number {
  let s = at;
  while (s > 0 && isLocalChar(text.charCodeAt(s - 1))) {
    s--;
    if (at - s > MAX_LOCAL) return -1;
  }
  // a sentence dot or a leading dot is not part of the address: "see.john@x.com" keeps "see.john", ".john@" drops the dot
  while (s < at && text.charCodeAt(s) === DOT) s++;
  return s < at ? s : -1;
}

/** the end of the address whose local part starts at `ls` and whose '@' is at `at`, or -1 */
function matchEmailAt(text: string, ls: number, at: number): number {
  if (codeAt(text, ls - 1) === 64) return -1; // "a@b@c.com"
  // the local part: no trailing dot (c022 "email.@example.com"), no "..", at least one letter, digit or '_'
  if (text.charCodeAt(at - 1) === DOT) return -1;
  let word = false;
  for (let i = ls; i < at; i++) {
    const c = text.charCodeAt(i);
    if (c === DOT && text.charCodeAt(i + 1) === DOT) return -1;
    if (isAsciiAlnum(c) || c === 95) word = true;
  }
  if (!word) return -1;
  return codeAt(text, at + 1) === 91 ? domainLiteralEnd(text, at + 1) : domainEnd(text, at + 1);
}

/** "[123.123.123.123]" (DataTrove's test c006): an IPv4 domain literal */
function domainLiteralEnd(text: string, open: number): number {
  const close = text.indexOf(']', open);
  if (close < 0 || close - open > 16) return -1;
  return dottedQuad(text.slice(open + 1, close)) ? close + 1 : -1;
}

function dottedQuad(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/**
 * A domain: labels of [A-Za-z0-9-], 1-63 chars, not starting or ending with '-', joined by single dots,
 * at least two labels, and a last label that is a TLD (letters, or an IDN "xn--" label) or a dotted IPv4
 * (c005 email@123.123.123.123). A trailing dot is the sentence's; "example..com" ends the domain at
 * "example", which then has no TLD.
 */
function domainEnd(text: string, start: number): number {
  let pos = start;
  let labels = 0;
  let numericLabels = 0;
  let lastStart = start;
  for (;;) {
    const ls = pos;
    while (pos < text.length && isLabelChar(text.charCodeAt(pos))) {
      pos++;
      if (pos - ls > MAX_LABEL || pos - start > MAX_DOMAIN) return -1;
    }
    if (pos === ls) return -1;
    if (text.charCodeAt(ls) === HYPHEN || text.charCodeAt(pos - 1) === HYPHEN) return -1;
    labels++;
    lastStart = ls;
    let numeric = true;
    for (let i = ls; i < pos; i++) if (!isDigit(text.charCodeAt(i))) numeric = false;
    if (numeric) numericLabels++;
    if (codeAt(text, pos) === DOT && isAsciiAlnum(codeAt(text, pos + 1))) {
      pos++;
      continue;
    }
    break;
  }
  if (labels < 2) return -1;
  if (codeAt(text, pos) === 64) return -1;
  if (labels === 4 && numericLabels === 4) return dottedQuad(text.slice(start, pos)) ? pos : -1;
  const tld = text.slice(lastStart, pos).toLowerCase();
  if (tld.startsWith('xn--')) return tld.length > 4 ? pos : -1;
  if (tld.length < 2) return -1;
  for (let i = 0; i < tld.length; i++) if (!isAsciiLetter(tld.charCodeAt(i))) return -1;
  return FILE_EXTENSIONS.has(tld) ? -1 : pos;
}
