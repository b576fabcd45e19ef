// PII detection and replacement for the pii stage: runs every detector, settles overlaps by priority, and
// rewrites the text with typed placeholders (<EMAIL>, <PHONE>...), counting what it replaced per type.
import { digitRuns } from './digit-runs.js';
import { findEmails } from './email.js';
import { findIbans } from './iban.js';
import { findIpv4, findIpv6, ipIsPublic } from './ip.js';
import type { PiiMatch, PiiType } from './match.js';
import { findCreditCards, findSsns } from './numbers.js';
import { findPhones } from './phone.js';
import { findSecrets } from './secrets.js';

export { PII_TYPES, type PiiMatch, type PiiType } from './match.js';

/** DataTrove replaces with fixed look-alike emails and IPs; typed tags keep the kind and cannot be mistaken for data */
export const DEFAULT_REPLACEMENTS: Record<PiiType, string> = {
  email: '<EMAIL>',
  phone: '<PHONE>',
  ipv4: '<IP_ADDRESS>',
  ipv6: '<IP_ADDRESS>',
  credit_card: '<CREDIT_CARD>',
  us_ssn: '<US_SSN>',
  iban: '<IBAN>',
  secret: '<SECRET>',
};

// When two candidates overlap, the more specific reading wins: a token or URL password over the email its
// '@' suggests (https://user:pass@host), an email over the IPv4 in its domain (a@1.2.3.4), an IBAN or card over
// the digit groups a phone rule would take, an IPv6 over its embedded IPv4 (::ffff:192.168.1.1).
const PRIORITY: Record<PiiType, number> = { secret: 0, email: 1, iban: 2, credit_card: 3, us_ssn: 4, ipv6: 5, ipv4: 6, phone: 7 };

/**
 * Every PII span of the text, disjoint and in text order. All detectors always run, whatever the stage scrubs:
 * an SSN is not a phone number even when only phones are being replaced.
 */
export function detectPii(text: string): PiiMatch[] {
  if (text.length === 0) return [];
  const found: PiiMatch[] = [];
  findSecrets(text, found);
  findEmails(text, found);
  findIbans(text, found);
  findIpv6(text, found);
  const runs = digitRuns(text);
  findCreditCards(text, runs, found);
  findSsns(text, runs, found);
  findIpv4(text, runs, found);
  findPhones(text, runs, found);
  return resolveOverlaps(text.length, found);
}

/** greedy by priority (a stable sort keeps each detector's own order), then back into text order */
function resolveOverlaps(length: number, found: PiiMatch[]): PiiMatch[] {
  if (found.length < 2) return found;
  const ranked = found.map((m, i) => ({ m, i })).sort((a, b) => PRIORITY[a.m.type] - PRIORITY[b.m.type] || a.i - b.i);
  // a coverage mask: every candidate span is read once and written once, so a megabyte of "1.1.1.1 " stays linear
  const taken = new Uint8Array(length);
  const kept: PiiMatch[] = [];
  for (const { m } of ranked) {
    let free = true;
    for (let k = m.start; k < m.end; k++) {
      if (taken[k]) {
        free = false;
        break;
      }
    }
    if (!free) continue;
    taken.fill(1, m.start, m.end);
    kept.push(m);
  }
  return kept.sort((a, b) => a.start - b.start);
}

export interface ScrubOptions {
  /** the types to replace; the others are detected (to settle overlaps) but left in the text */
  types: ReadonlySet<PiiType>;
  replacements: Record<PiiType, string>;
  /** replace only publicly routable IPs, DataTrove's default (only_remove_public_ips) */
  publicIpsOnly: boolean;
}

export interface ScrubResult {
  text: string;
  /** replacements made, per type; empty when none */
  counts: Partial<Record<PiiType, number>>;
  /** the replaced spans, in the original text's offsets */
  replaced: PiiMatch[];
}

export function scrubPii(text: string, options: ScrubOptions): ScrubResult {
  const replaced = detectPii(text).filter(
    (m) => options.types.has(m.type) && !(options.publicIpsOnly && (m.type === 'ipv4' || m.type === 'ipv6') && !ipIsPublic(m.type, text.slice(m.start, m.end))),
  );
  if (replaced.length === 0) return { text, counts: {}, replaced };
  const counts: Partial<Record<PiiType, number>> = {};
  const parts: string[] = [];
  let last = 0;
  for (const m of replaced) {
    parts.push(text.slice(last, m.start), options.replacements[m.type]);
    last = m.end;
    counts[m.type] = (counts[m.type] ?? 0) + 1;
  }
  parts.push(text.slice(last));
  return { text: parts.join(''), counts, replaced };
}
