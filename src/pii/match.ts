// What a PII detector reports (type, span, subtype) and the character tests every detector shares.
// Detectors find candidates with anchored scans and validate them in code (see src/pii/scrub.ts).

/** the PII types the pii stage scrubs; stable names: they are meta.pii keys and `found.<type>` stats */
export const PII_TYPES = ['email', 'phone', 'ipv4', 'ipv6', 'credit_card', 'us_ssn', 'iban', 'secret'] as const;
export type PiiType = (typeof PII_TYPES)[number];

export interface PiiMatch {
  type: PiiType;
  /** UTF-16 offsets into the text, end exclusive */
  start: number;
  end: number;
  /** which kind of secret (github_token, jwt...) or, for IPs, nothing */
  subtype?: string;
}

export const CH_0 = 48;
export const CH_9 = 57;

export function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

export function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function isAsciiAlnum(c: number): boolean {
  return isDigit(c) || isAsciiLetter(c);
}

/**
 * ASCII [A-Za-z0-9_]: what may not touch a number or a token on either side. Non-ASCII letters do not
 * count: Chinese or Japanese text puts a phone number right after a word with no space (电话13812345678).
 */
export function isWordChar(c: number): boolean {
  return isAsciiAlnum(c) || c === 95;
}

export function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** the char code at i, or -1 outside the text (so boundary tests need no range checks) */
export function codeAt(text: string, i: number): number {
  return i >= 0 && i < text.length ? text.charCodeAt(i) : -1;
}
