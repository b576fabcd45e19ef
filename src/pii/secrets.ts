// Credentials: provider tokens with a fixed shape (AWS, GitHub, Slack, Stripe, JWT, private key blocks, URL
// passwords) and generic high-entropy values after a key/token/secret label. Patterns follow Yelp's
// detect-secrets plugins (detect_secrets/plugins/*.py), rewritten so each regex is anchored at a word start
// and has no nested quantifier: a failed attempt costs at most one pass over its own token.
import { Buffer } from 'node:buffer';
import { codeAt, isWordChar, type PiiMatch } from './match.js';

function push(out: PiiMatch[], subtype: string, start: number, end: number): void {
  out.push({ type: 'secret', subtype, start, end });
}

/** every match of a global regex, handing the match to `accept`, which may push and returns nothing */
function scan(re: RegExp, text: string, accept: (m: RegExpExecArray) => void): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    accept(m);
    if (m[0].length === 0) re.lastIndex++;
  }
}

// detect-secrets aws.py: (?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)[0-9A-Z]{16}
const AWS_KEY_ID = /(?<![A-Za-z0-9])(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9])/g;

// detect-secrets aws.py: a 40-char secret access key after an "aws...key/secret/token" label and '=' or ':';
// exactly 40 chars of [A-Za-z0-9/+] (c127: 41 chars is not one)
const AWS_SECRET = /(?<![A-Za-z0-9])aws[A-Za-z0-9_.\- ]{0,20}(?:key|secret|token|pwd|pw|password|pass)[A-Za-z0-9_.\-"' ]{0,20}(?::=|=>|[:=])\s{0,5}["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi;

// detect-secrets github_token.py: (ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9_]{36}; fine-grained PATs are github_pat_ + 82
const GITHUB = /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})(?![A-Za-z0-9_])/g;

// detect-secrets slack.py: xox(?:a|b|p|o|s|r)-(?:\d+-)+[a-z0-9]+ ; read as one token, split in code
const SLACK_TOKEN = /(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{8,250}/g;
const SLACK_WEBHOOK = /https:\/\/hooks\.slack\.com\/services\/T[A-Za-z0-9_]{1,20}\/B[A-Za-z0-9_]{1,20}\/[A-Za-z0-9_]{1,64}/g;

// detect-secrets stripe.py: (?:r|s)k_live_[0-9a-zA-Z]{24}; publishable pk_ keys are public by design (c135)
const STRIPE = /(?<![A-Za-z0-9_])[rs]k_live_[0-9a-zA-Z]{24,99}(?![0-9a-zA-Z])/g;

// detect-secrets jwt.py: eyJ... . ... . ...; the header must decode to a JSON object with "alg" (RFC 7515 4.1.1)
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,4000}\.[A-Za-z0-9_-]{2,8000}\.[A-Za-z0-9_-]{0,4000}/g;

// detect-secrets private_key.py: BEGIN (DSA |EC |OPENSSH |PGP |RSA |SSH2 ENCRYPTED |)PRIVATE KEY
const KEY_BEGIN = /-----BEGIN (?:[A-Z0-9]{1,12} ){0,3}PRIVATE KEY(?: BLOCK)?-----/g;
/** how far past BEGIN an END marker is looked for; longer armour (4096-bit RSA is ~3.3 KB) is not a key */
const KEY_MAX_CHARS = 16_000;

// detect-secrets basic_auth.py: ://user:password@ ; only the password is the secret (c141)
const BASIC_AUTH = /:\/\/[^\s:@/{}<>"'`]{1,128}:([^\s:@/{}<>"'`]{1,128})@/g;

// detect-secrets keyword.py's labels, narrowed to the ones that name a credential, then a value of at least
// 20 chars whose entropy is high (see highEntropy)
const LABELLED = /(?<![A-Za-z0-9])(?:api[_-]?key|apikey|api[_-]?secret|api[_-]?token|access[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret|secret[_-]?key|private[_-]?token|secret|token|passwd|password|pwd|key)["']?\s{0,3}(?::=|=>|[:=])\s{0,3}["']?([A-Za-z0-9+/_~-]{20,256}={0,2})(?![A-Za-z0-9+/_~=-])/gi;

/** Shannon entropy in bits per character */
export function shannonEntropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * detect-secrets' HighEntropyString limits are 4.5 bits (base64) and 3.0 (hex) on quoted strings, but a
 * 20-char string cannot reach 4.5 bits (log2 20 = 4.32). After a credential label the bar is lower: 3.5 bits
 * (gitleaks' generic-api-key rule), 3.0 for hex; a value also needs a digit and a letter, so words, snake_case
 * names and placeholders ("your_api_key_goes_here", "xxxxxxxxxxxxxxxxxxxx") stay.
 */
export function highEntropy(value: string): boolean {
  if (!/\d/.test(value) || !/[A-Za-z]/.test(value)) return false;
  const h = shannonEntropy(value);
  return /^[0-9a-fA-F]+$/.test(value) ? h >= 3.0 : h >= 3.5;
}

function jwtHeaderOk(segment: string): boolean {
  try {
    const header: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null && !Array.isArray(header) && 'alg' in header;
  } catch {
    return false;
  }
}

export function findSecrets(text: string, out: PiiMatch[]): void {
  // each scan is skipped when its fixed part is absent: most documents hold none of them
  if (text.includes('PRIVATE KEY')) findPrivateKeys(text, out);
  if (text.includes('eyJ')) {
    scan(JWT, text, (m) => {
      if (isWordChar(codeAt(text, m.index + m[0].length))) return;
      if (jwtHeaderOk(m[0].slice(0, m[0].indexOf('.')))) push(out, 'jwt', m.index, m.index + m[0].length);
    });
  }
  if (text.includes('gh') || text.includes('github_pat_')) scan(GITHUB, text, (m) => push(out, 'github_token', m.index, m.index + m[0].length));
  if (text.includes('xox')) {
    scan(SLACK_TOKEN, text, (m) => {
      // the numeric ids, then the alphanumeric secret: xoxp-523423-234243-234233-e039d02840a0b9379c
      const token = m[0].replace(/-+$/, '');
      const parts = token.split('-');
      if (parts.length < 3 || parts.slice(1, -1).some((p) => !/^\d+$/.test(p)) || !/^[A-Za-z0-9]+$/.test(parts[parts.length - 1]!)) return;
      push(out, 'slack', m.index, m.index + token.length);
    });
  }
  if (text.includes('hooks.slack.com')) scan(SLACK_WEBHOOK, text, (m) => push(out, 'slack', m.index, m.index + m[0].length));
  if (text.includes('_live_')) scan(STRIPE, text, (m) => push(out, 'stripe', m.index, m.index + m[0].length));
  scan(AWS_KEY_ID, text, (m) => push(out, 'aws_access_key_id', m.index, m.index + m[0].length));
  if (/aws/i.test(text)) {
    scan(AWS_SECRET, text, (m) => {
      const end = m.index + m[0].length;
      push(out, 'aws_secret_access_key', end - 40, end);
    });
  }
  if (text.includes('://')) {
    scan(BASIC_AUTH, text, (m) => {
      const end = m.index + m[0].length - 1;
      push(out, 'basic_auth', end - m[1]!.length, end);
    });
  }
  scan(LABELLED, text, (m) => {
    // "aws_access_key = ..." belongs to the AWS rule, which wants exactly 40 chars (c127: 41 is not a key)
    let id = m.index;
    while (id > 0 && m.index - id < 40 && /[A-Za-z0-9_.-]/.test(text[id - 1]!)) id--;
    if (/aws/i.test(text.slice(id, m.index))) return;
    const value = m[1]!;
    if (!highEntropy(value.replace(/=+$/, ''))) return;
    const end = m.index + m[0].length;
    push(out, 'api_key', end - value.length, end);
  });
}

/**
 * The whole block, BEGIN line to END line: the key is the body, and the markers alone would leave it in the
 * text. Without an END marker in reach, the BEGIN line and the base64 lines after it go. The next END position
 * is remembered, so many BEGIN lines without an END cost one search, not one each.
 */
function findPrivateKeys(text: string, out: PiiMatch[]): void {
  let nextEnd = -2;
  KEY_BEGIN.lastIndex = 0;
  for (let m = KEY_BEGIN.exec(text); m; m = KEY_BEGIN.exec(text)) {
    const bodyStart = m.index + m[0].length;
    if (nextEnd !== -1 && nextEnd < bodyStart) nextEnd = text.indexOf('-----END ', bodyStart);
    let end = -1;
    if (nextEnd >= 0 && nextEnd - bodyStart <= KEY_MAX_CHARS) {
      // "-----END RSA PRIVATE KEY-----": the closing dashes within the END line's length
      const close = text.slice(nextEnd + 9, nextEnd + 64).indexOf('-----');
      if (close >= 0) end = nextEnd + 9 + close + 5;
    }
    if (end < 0) end = armourEnd(text, bodyStart);
    push(out, 'private_key', m.index, end);
    KEY_BEGIN.lastIndex = end;
  }
}

// RFC 7468 armour: base64 lines (64 chars, the last shorter, maybe '='-padded) and RFC 1421 headers
// ("Proc-Type: 4,ENCRYPTED", "DEK-Info: ..."); a short word alone on a line is prose, not armour
const ARMOUR_HEADER = /[A-Za-z][A-Za-z-]{1,30}: ?\S/y;

function isBase64Char(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}

/**
 * End of the armour after a BEGIN marker that has no END in reach: line by line, char by char, stopping at the
 * first line that is neither base64 nor a header, so text after a truncated key stays and no char is read twice.
 */
function armourEnd(text: string, bodyStart: number): number {
  const limit = Math.min(text.length, bodyStart + KEY_MAX_CHARS);
  let end = bodyStart;
  let pos = bodyStart;
  while (pos < limit) {
    let k = pos;
    while (k < limit && isBlank(text.charCodeAt(k))) k++;
    if (k >= limit) break;
    if (text.charCodeAt(k) === 10) {
      pos = k + 1;
      continue;
    }
    ARMOUR_HEADER.lastIndex = k;
    if (ARMOUR_HEADER.test(text)) {
      let nl = text.indexOf('\n', k);
      if (nl < 0 || nl > limit) nl = limit;
      end = nl;
      pos = nl + 1;
      continue;
    }
    let b = k;
    while (b < limit && isBase64Char(text.charCodeAt(b))) b++;
    let eq = b;
    while (eq < limit && eq - b < 2 && text.charCodeAt(eq) === 61) eq++;
    if (b - k < 16 && eq === b) break;
    end = eq;
    let t = eq;
    while (t < limit && isBlank(text.charCodeAt(t))) t++;
    if (t < limit && text.charCodeAt(t) !== 10) break;
    pos = t + 1;
  }
  return end;
}
