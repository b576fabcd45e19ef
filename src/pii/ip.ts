// IPv4 and IPv6 addresses: IPv4 from the digit runs (exactly four dotted octets), IPv6 from a scan around
// each ':' validated against RFC 4291 text forms; plus the public/non-public test DataTrove filters on.
import type { DigitRun } from './digit-runs.js';
import { SEP_DOT } from './digit-runs.js';
import { codeAt, isHexDigit, isWordChar, type PiiMatch } from './match.js';

/** "0", "7", "255": no leading zero (Python's ipaddress rejects "01" since 3.9.5: c034 "108.0.0.01") */
function octet(text: string, start: number, end: number): number {
  const len = end - start;
  if (len < 1 || len > 3) return -1;
  if (len > 1 && text.charCodeAt(start) === 48) return -1;
  const v = Number(text.slice(start, end));
  return v <= 255 ? v : -1;
}

// "version 1.2.3.4", "v 10.0.0.1", "build 4.2.0.17", "section 1.2.3.4", "§ 2.1.4.3": dotted numbers right after
// these words are versions or section numbers, not addresses
const VERSION_BEFORE = /(?:(?:^|[^a-z])(?:v|ver|version|release|rel|build|firmware|fw|patch|rev|revision|update|kernel|driver|sdk|api|section|sec|chapter|ch|clause|article|art|figure|fig|table|step|para|paragraph|rule|appendix)\.?|§)\s{0,2}[:=#]?\s{0,2}$/i;

/**
 * IPv4 in the digit runs: a chain of exactly four '.'-joined groups, each a valid octet, first octet not 0
 * (0.0.0.0/8 is "this network"; DataTrove's test lists 0.1.2.3 as not an IP). A longer dotted chain
 * (1.2.3.4.5, an OID, a section number) is not an address, nor is one glued to a letter (IP192.168.1.1text).
 */
export function findIpv4(text: string, runs: DigitRun[], out: PiiMatch[]): void {
  for (const run of runs) {
    const g = run.groups;
    if (g.length < 4) continue;
    let i = 0;
    while (i < g.length) {
      let j = i;
      while (j + 1 < g.length && g[j + 1]!.sep === SEP_DOT) j++;
      if (j - i === 3 && !g.slice(i, j + 1).some((x) => x.paren)) checkIpv4(text, run, i, j, out);
      i = j + 1;
    }
  }
}

function checkIpv4(text: string, run: DigitRun, i: number, j: number, out: PiiMatch[]): void {
  const g = run.groups;
  const start = g[i]!.start;
  const end = g[j]!.end;
  for (let k = i; k <= j; k++) if (octet(text, g[k]!.start, g[k]!.end) < 0) return;
  if (octet(text, g[i]!.start, g[i]!.end) === 0) return;
  const before = codeAt(text, start - 1);
  if (isWordChar(before)) return;
  // ".3.3.3.0" (DataTrove's test) is an address after a stray dot; "ver.1.2.3.4" or "x.1.2.3.4" is not
  if (before === SEP_DOT && isWordChar(codeAt(text, start - 2))) return;
  const after = codeAt(text, end);
  if (isWordChar(after)) return;
  if (after === SEP_DOT && isWordChar(codeAt(text, end + 1))) return;
  if (VERSION_BEFORE.test(text.slice(Math.max(0, start - 24), start))) return;
  out.push({ type: 'ipv4', start, end });
}

const COLON = 58;
const PERCENT = 37;
/** an IPv6 text form is at most 45 chars (8 groups of 4 + 7 colons, or 6 groups + a dotted IPv4) */
const MAX_IPV6_CHARS = 45;

/**
 * IPv6 around each ':' not yet consumed: the maximal run of [0-9A-Fa-f:.] holding it, then a strict parse.
 * Every run is consumed once, so the scan stays linear on "::::..." or long hex text. Rejected traps
 * (Presidio's IP recognizer tests): MAC addresses (6 groups), times 12:34:56, ratios 1:2:3:4, std::cout,
 * MyClass::toString, ":::", "fe80::1text", and ::ffff:256.0.0.1 (a bad embedded IPv4 spoils the whole).
 */
export function findIpv6(text: string, out: PiiMatch[]): void {
  let from = 0;
  for (let colon = text.indexOf(':', from); colon >= 0; colon = text.indexOf(':', from)) {
    let start = colon;
    while (start > 0 && isHexDigit(text.charCodeAt(start - 1)) && colon - start < 5) start--;
    let end = colon;
    for (;;) {
      const c = codeAt(text, end);
      if (c === COLON || c === SEP_DOT || isHexDigit(c)) end++;
      else break;
    }
    from = end > colon ? end : colon + 1;
    // trim what belongs to the sentence, not the address: "IP:2001:db8::1." "at fe80::1:"
    if (text.charCodeAt(start) === COLON && codeAt(text, start + 1) !== COLON) start++;
    while (end > start && codeAt(text, end - 1) === SEP_DOT) end--;
    if (end - start >= 2 && codeAt(text, end - 1) === COLON && codeAt(text, end - 2) !== COLON) end--;
    if (end - start < 3 || end - start > MAX_IPV6_CHARS) continue;
    if (isWordChar(codeAt(text, start - 1))) continue;
    if (!validIpv6(text.slice(start, end))) continue;
    // a zone index belongs to the address: fe80::1%eth0
    if (codeAt(text, end) === PERCENT && isWordChar(codeAt(text, end + 1))) {
      let z = end + 1;
      while (z < text.length && z - end <= 16 && (isWordChar(text.charCodeAt(z)) || text.charCodeAt(z) === SEP_DOT)) z++;
      end = z;
    }
    const after = codeAt(text, end);
    if (isWordChar(after)) continue;
    out.push({ type: 'ipv6', start, end });
    from = Math.max(from, end);
  }
}

/**
 * RFC 4291 section 2.2 text forms: 8 groups of 1-4 hex digits, or fewer with one "::", the last 32 bits
 * optionally as a dotted IPv4. To keep code and clock times out, an address needs at least two hex groups
 * (or an embedded IPv4) and a digit somewhere.
 */
export function validIpv6(s: string): boolean {
  let v4 = 0;
  let head = s;
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) >= 0) {
    if (!validDottedQuad(s.slice(lastColon + 1))) return false;
    v4 = 2;
    // "::ffff:1.2.3.4" keeps its "::"; "64:ff9b::1:1.2.3.4" drops the colon before the IPv4
    head = s.slice(0, lastColon + 1);
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const dbl = head.indexOf('::');
  if (dbl >= 0 && head.indexOf('::', dbl + 1) >= 0) return false;
  const halves = dbl >= 0 ? [head.slice(0, dbl), head.slice(dbl + 2)] : [head];
  let groups = 0;
  for (const half of halves) {
    if (half === '') continue;
    for (const part of half.split(':')) {
      if (part.length < 1 || part.length > 4) return false;
      for (let k = 0; k < part.length; k++) if (!isHexDigit(part.charCodeAt(k))) return false;
      groups++;
    }
  }
  if (dbl >= 0 ? groups + v4 > 7 : groups + v4 !== 8) return false;
  if (groups < 2 && v4 === 0) return false;
  return /\d/.test(s);
}

function validDottedQuad(s: string): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0') || Number(p) > 255) return false;
  }
  return true;
}

// Special-purpose ranges that Python's ipaddress.is_global excludes (the IANA IPv4/IPv6 special-purpose
// registries), which is what DataTrove's public_ip_validator and the pii-dev `public` labels use.
const IPV4_NOT_GLOBAL: Array<[number, number]> = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['240.0.0.0', 4], ['255.255.255.255', 32],
].map(([a, bits]) => [ipv4ToInt(a as string), bits as number]);

function ipv4ToInt(s: string): number {
  return s.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
}

function ipv4IsGlobal(s: string): boolean {
  const n = ipv4ToInt(s);
  return !IPV4_NOT_GLOBAL.some(([net, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(net / 2 ** (32 - bits)));
}

/** the 8 groups of a valid IPv6 text form, as numbers (the embedded IPv4 as its two groups) */
function ipv6Groups(s: string): number[] {
  let tail: number[] = [];
  let head = s.replace(/%.*$/, '');
  const lastColon = head.lastIndexOf(':');
  if (head.indexOf('.', lastColon) >= 0) {
    const n = ipv4ToInt(head.slice(lastColon + 1));
    tail = [Math.floor(n / 65536), n % 65536];
    head = head.slice(0, lastColon + 1);
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const [left = '', right] = head.split('::');
  const parse = (h: string) => (h ? h.split(':').map((x) => parseInt(x, 16)) : []);
  const l = parse(left);
  const r = right === undefined ? [] : parse(right);
  const fill = 8 - l.length - r.length - tail.length;
  return [...l, ...new Array<number>(Math.max(0, fill)).fill(0), ...r, ...tail];
}

// ::/128, ::1, ::ffff:0:0/96 (IPv4-mapped), 64:ff9b:1::/48, 100::/64, 2001::/23, 2001:db8::/32, 2002::/16,
// fc00::/7 (unique local), fe80::/10 (link-local): not global, as in Python's ipaddress
function ipv6IsGlobal(s: string): boolean {
  const g = ipv6Groups(s);
  const [a = 0, b = 0, c = 0, d = 0] = g;
  if (g.slice(0, 7).every((x) => x === 0)) return false;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return false;
  if (a === 0x64 && b === 0xff9b && c === 1) return false;
  if (a === 0x100 && b === 0 && c === 0 && d === 0) return false;
  if (a === 0x2001 && b < 0x200) return false;
  if (a === 0x2001 && b === 0xdb8) return false;
  if (a === 0x2002) return false;
  if ((a & 0xfe00) === 0xfc00) return false;
  if ((a & 0xffc0) === 0xfe80) return false;
  return true;
}

/** whether a matched address is publicly routable (not private, loopback, link-local, documentation...) */
export function ipIsPublic(type: 'ipv4' | 'ipv6', address: string): boolean {
  return type === 'ipv4' ? ipv4IsGlobal(address) : ipv6IsGlobal(address);
}
