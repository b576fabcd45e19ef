// A seeded generator of Faker-style text with labelled PII spans, for measuring the pii stage per type (see
// src/pii/eval.ts scoreSynthetic). Formats follow public sources: Faker's phone_number provider formats per
// locale and national numbering plans, card IIN ranges and lengths (ISO/IEC 7812, Faker's credit_card
// provider), IBAN lengths and BBAN layouts from SWIFT's IBAN registry (with a real mod-97 check), SSA's SSN
// rules; plus negatives (dates, prices, ISBNs, versions, order numbers, hashes, UUIDs...) that must not match.
// Two template mixes: 'dev' (seed A, to develop on) and 'heldout' (another seed, other phrasing and layouts).
import { luhn } from './numbers.js';
import { mulberry32 as rng } from '../core/random.js';

/** the generator's seeded PRNG (the project's mulberry32) */
export { rng };

export type EvalType = 'email' | 'phone' | 'ip' | 'card' | 'ssn' | 'iban' | 'secret';
export const EVAL_TYPES: EvalType[] = ['email', 'phone', 'ip', 'card', 'ssn', 'iban', 'secret'];

export interface GoldSpan {
  type: EvalType;
  start: number;
  end: number;
  value: string;
  /** the generator's own label for what it produced (locale or network), for error analysis */
  kind: string;
}

export interface SyntheticDoc {
  text: string;
  spans: GoldSpan[];
  /** the negatives planted in the text (not scored as such: any prediction on them is a false positive) */
  negatives: string[];
}


type R = () => number;
const int = (r: R, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const digits = (r: R, n: number) => Array.from({ length: n }, () => String(int(r, 0, 9))).join('');
/** Faker's numerify: '#' any digit, '%' 1-9, '!' 0-9 or nothing is not used */
function numerify(r: R, fmt: string): string {
  let s = '';
  for (const ch of fmt) s += ch === '#' ? String(int(r, 0, 9)) : ch === '%' ? String(int(r, 1, 9)) : ch === '$' ? String(int(r, 2, 9)) : ch;
  return s;
}

// Faker phone_number formats per locale (faker/providers/phone_number/*/__init__.py, abridged) and the
// numbering plans' layouts for the same countries
const PHONE_FORMATS: Record<string, string[]> = {
  en_US: ['###-###-####', '(###)###-####', '1-###-###-####', '###.###.####', '###-###-####x###', '(###)###-####x#####', '1-###-###-####x####', '###.###.####x###', '+1-###-###-####x####', '001-###-###-####x###', '+1-$##-$##-####', '($##) $##-####', '$##-$##-####'],
  en_GB: ['+44(0)##########', '+44(0)#### ######', '+44(0)#########', '+44(0)#### #####', '0##########', '0#########', '0#### ######', '0#### #####', '(0####) ######', '(0####) #####', '+44 20 7### ####', '+44 7### ######', '020 7### ####', '07### ######'],
  de_DE: ['+49(0)##########', '+49(0)#### ######', '+49(0)#### #####', '(0####) #####', '(0####) ######', '0##########', '0#### ######', '0####-#####', '0%## ######', '+49 30 #######', '0049 (0)30 #######', '+49 (0) 1%# #######', '0%##/#######', '030 #######'],
  fr_FR: ['+33 (0)# ## ## ## ##', '+33 # ## ## ## ##', '0%########', '0% ## ## ## ##', '0%.##.##.##.##', '+33 (0)%########', '06 ## ## ## ##', '+33 1 ## ## ## ##'],
  es_ES: ['+34 9## ## ## ##', '+34 6## ## ## ##', '+34 9## ### ###', '+34 6## ### ###', '+34 9########', '+34 6########', '9## ## ## ##', '6## ## ## ##', '9## ### ###', '6## ### ###', '6########'],
  it_IT: ['+39 0## ## ## ###', '+39 3## ### ####', '+39 0#########', '3## ### ####', '0## #######', '0#########', '3#########', '+39 0## #######'],
  pt_BR: ['+55 (011) #### ####', '+55 (0%%) #### ####', '+55 %% #### ####', '+55 %% 9#### ####', '(0%%) #### ####', '(%%) ####-####', '(%%) 9####-####', '%% #### ####', '0%% #### ####', '0300 ### ####', '0800 ### ####', '(%%) ###-###', '%% 9#### ####', '####-####', '#### ####'],
  nl_NL: ['0### ######', '0## #######', '+31(0)### ######', '+31(0)## #######', '(0###) ######', '(0##) #######', '0###-######', '0##-#######', '+31 6 ########', '06-########', '06 ########'],
  pl_PL: ['## ### ## ##', '+48 ## ### ## ##', '(##) ### ## ##', '+48 (##) ### ## ##', '### ### ###', '+48 ### ### ###', '%##-###-###', '+48 %## ### ###'],
  ja_JP: ['070-####-####', '080-####-####', '090-####-####', '0%-####-####', '0%#-###-####', '0%##-##-####', '+81 3-####-####', '+81 90-####-####', '+81-%-####-####'],
  en_AU: ['0# #### ####', '(0#) #### ####', '+61 # #### ####', '04## ### ###', '+61 4## ### ###', '1300 ### ###', '1800 ### ###', '02 #### ####', '(02) #### ####', '+61 2 #### ####'],
  en_IN: ['+91 ##########', '+91 #### ######', '0##########', '0#### ######', '+91 9#########', '+91 98### #####', '0##-########', '9#########', '7#########'],
  other: ['(%#) %##-###', '%## ### ###', '+46 %# ### ## ##', '+7 9## ###-##-##', '+90 5## ### ## ##', '+380 %# ### ####', '+52 %# #### ####', '+27 %# ### ####', '0046 %# ### ## ##', '+41 %# ### ## ##', '+353 %# ### ####', '+86 1%# #### ####'],
};
const PHONE_LOCALES = Object.keys(PHONE_FORMATS);

function phone(r: R): [string, string] {
  const loc = pick(r, PHONE_LOCALES);
  return [numerify(r, pick(r, PHONE_FORMATS[loc]!)), loc];
}

function withLuhn(prefix: string, length: number, r: R): string {
  let body = prefix + digits(r, length - prefix.length - 1);
  for (let d = 0; d <= 9; d++) if (luhn(body + d)) return body + d;
  return body + '0';
}

// networks as Faker's credit_card provider has them (prefixes, lengths), plus the 2-series Mastercard
const CARD_NETWORKS: Record<string, [string[], number[]]> = {
  visa: [['4'], [13, 16, 19]],
  mastercard: [['51', '52', '53', '54', '55', '2221', '2300', '2500', '2720'], [16]],
  amex: [['34', '37'], [15]],
  discover: [['6011', '65', '644', '649'], [16, 19]],
  diners: [['300', '301', '302', '303', '304', '305', '36', '38'], [14]],
  jcb15: [['2131', '1800'], [15]],
  jcb16: [['3528', '3589', '3530', '3566'], [16]],
  maestro: [['5018', '5020', '5038', '56', '57', '58', '6304', '6759', '6761', '6762', '6763', '0604', '6390'], [12, 13, 14, 15, 16, 17, 18, 19]],
};

function card(r: R): [string, string] {
  const net = pick(r, Object.keys(CARD_NETWORKS));
  const [prefixes, lengths] = CARD_NETWORKS[net]!;
  const d = withLuhn(pick(r, prefixes), pick(r, lengths), r);
  const style = r();
  if (style < 0.5) return [d, net];
  const sep = r() < 0.5 ? ' ' : '-';
  if (net === 'amex' && r() < 0.7) return [[d.slice(0, 4), d.slice(4, 10), d.slice(10)].join(sep), net];
  if (net === 'diners' && r() < 0.5) return [[d.slice(0, 4), d.slice(4, 10), d.slice(10)].join(sep), net];
  return [d.match(/.{1,4}/g)!.join(sep), net];
}

// SWIFT IBAN registry: BBAN layouts (n digit, a upper letter, c alphanumeric) for a spread of countries
const IBAN_LAYOUTS: Record<string, string> = {
  GB: '4a14n', DE: '18n', FR: '10n11c2n', ES: '20n', IT: '1a10n12c', NL: '4a10n', BE: '12n', AT: '16n', CH: '5n12c',
  PL: '24n', PT: '21n', IE: '4a14n', SE: '20n', DK: '14n', NO: '11n', FI: '14n', CZ: '20n', HU: '24n', RO: '4a16c',
  GR: '7n16c', LU: '3n13c', SA: '2n18c', TR: '5n17c', BR: '23n1a1c', MT: '4a5n18c', SK: '20n', SI: '15n', HR: '17n',
};
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ALNUM = UPPER + '0123456789';

export function ibanCheckDigits(cc: string, bban: string): string {
  const s = bban + cc + '00';
  let rem = 0;
  for (const ch of s) {
    const v = ch <= '9' ? ch.charCodeAt(0) - 48 : ch.charCodeAt(0) - 55;
    rem = v >= 10 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97;
  }
  return String(98 - rem).padStart(2, '0');
}

function iban(r: R): [string, string] {
  const cc = pick(r, Object.keys(IBAN_LAYOUTS));
  let bban = '';
  for (const [, n, cls] of IBAN_LAYOUTS[cc]!.matchAll(/(\d+)([nac])/g))
    for (let k = 0; k < Number(n); k++) bban += cls === 'n' ? String(int(r, 0, 9)) : cls === 'a' ? pick(r, [...UPPER]) : pick(r, [...ALNUM]);
  const compact = cc + ibanCheckDigits(cc, bban) + bban;
  const style = r();
  if (style < 0.45) return [compact, cc];
  if (style < 0.85) return [compact.match(/.{1,4}/g)!.join(' '), cc];
  return [compact.toLowerCase(), cc + '_lower'];
}

function ssn(r: R): [string, string] {
  let area = int(r, 1, 899);
  if (area === 666) area = 665;
  const s = `${String(area).padStart(3, '0')}-${String(int(r, 1, 99)).padStart(2, '0')}-${String(int(r, 1, 9999)).padStart(4, '0')}`;
  return r() < 0.85 ? [s, 'dash'] : [s.replace(/-/g, ' '), 'space'];
}

const FIRST = ['john', 'maria', 'li', 'anna', 'pierre', 'jose', 'yuki', 'olga', 'ahmed', 'emma', 'lucas', 'sofia', 'raj', 'chen'];
const LAST = ['smith', 'garcia', 'wang', 'müller', 'dupont', 'rossi', 'tanaka', 'kowalski', 'silva', 'jansen', 'patel', 'brown'];
const DOMAINS = ['example.com', 'example.org', 'gmail.com', 'yahoo.co.uk', 'mail.example.de', 'hotmail.fr', 'outlook.com', 'uni-berlin.de', 'company.co.jp', 'web.de'];

function email(r: R): [string, string] {
  const f = pick(r, FIRST);
  const l = pick(r, LAST).replace('ü', 'u');
  const local = pick(r, [`${f}.${l}`, `${f}${l}`, `${f[0]}${l}${int(r, 1, 99)}`, `${f}_${l}`, `${f}+news`, `${l}.${f}${int(r, 1970, 2005)}`]);
  const e = `${local}@${pick(r, DOMAINS)}`;
  return [r() < 0.1 ? e.toUpperCase() : e, 'email'];
}

function ip(r: R): [string, string] {
  if (r() < 0.6) return [[int(r, 1, 223), int(r, 0, 255), int(r, 0, 255), int(r, 1, 254)].join('.'), 'ipv4'];
  const groups = Array.from({ length: 8 }, () => int(r, 0, 65535).toString(16));
  groups[0] = pick(r, ['2001', '2a00', '2600', 'fe80', '2400']);
  if (r() < 0.5) return [groups.join(':'), 'ipv6_full'];
  return [`${groups[0]}:${groups[1]}:${groups[2]}::${groups[7]}`, 'ipv6_short'];
}

const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const rand = (r: R, n: number, alphabet = B62) => Array.from({ length: n }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');

function secret(r: R): [string, string] {
  const k = int(r, 0, 4);
  if (k === 0) return ['ghp_' + rand(r, 36), 'github'];
  if (k === 1) return ['AKIA' + rand(r, 16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'), 'aws'];
  if (k === 2) return ['sk_live_' + rand(r, 24), 'stripe'];
  if (k === 3) return [`xoxb-${digits(r, 11)}-${digits(r, 12)}-${rand(r, 24).toLowerCase()}`, 'slack'];
  const b64 = (s: string) => Buffer.from(s).toString('base64url');
  return [`${b64('{"alg":"HS256","typ":"JWT"}')}.${b64(`{"sub":"${digits(r, 10)}","name":"${pick(r, FIRST)}"}`)}.${rand(r, 43)}`, 'jwt'];
}

const GEN: Record<EvalType, (r: R) => [string, string]> = { email, phone, ip, card, ssn, iban, secret };

// negatives: numbers and tokens of ordinary web text that no detector may take
function negative(r: R): string {
  const y = int(r, 1950, 2030);
  const mo = String(int(r, 1, 12)).padStart(2, '0');
  const d = String(int(r, 1, 28)).padStart(2, '0');
  const k = int(r, 0, 27);
  switch (k) {
    case 0: return `${y}-${mo}-${d}`;
    case 1: return `${d}.${mo}.${y}`;
    case 2: return `${mo}/${d}/${y}`;
    case 3: return `${y}-${mo}-${d}T${int(r, 10, 23)}:${int(r, 10, 59)}:${int(r, 10, 59)}Z`;
    case 4: return `${int(r, 10, 23)}:${int(r, 10, 59)}`;
    case 5: return `$${int(r, 1, 999)},${digits(r, 3)}.${digits(r, 2)}`;
    case 6: return `${int(r, 1, 99)} ${digits(r, 3)} ${digits(r, 3)} €`;
    case 7: return `ISBN 978-${int(r, 0, 9)}-${digits(r, 3)}-${digits(r, 5)}-${int(r, 0, 9)}`;
    case 8: return `order #${digits(r, int(r, 7, 12))}`;
    case 9: return `version ${int(r, 1, 20)}.${int(r, 0, 30)}.${int(r, 0, 99)}`;
    case 10: return `${y}-${y + int(r, 1, 30)}`;
    case 11: return `${(r() * 180 - 90).toFixed(4)}, ${(r() * 360 - 180).toFixed(4)}`;
    case 12: return `SKU ${rand(r, 3, UPPER)}-${digits(r, 5)}-${digits(r, 2)}`;
    case 13: return `ZIP ${digits(r, 5)}-${digits(r, 4)}`;
    case 14: return `${int(r, 1, 99)},${digits(r, 3)},${digits(r, 3)} visitors`;
    case 15: return rand(r, 40, '0123456789abcdef');
    case 16: return `${rand(r, 8, '0123456789abcdef')}-${rand(r, 4, '0123456789abcdef')}-4${rand(r, 3, '0123456789abcdef')}-a${rand(r, 3, '0123456789abcdef')}-${rand(r, 12, '0123456789abcdef')}`;
    case 17: return `${1_600_000_000 + int(r, 0, 99_999_999)}`;
    case 18: return `page ${int(r, 1, 400)}-${int(r, 401, 900)}`;
    case 19: return `tracking number 1Z${rand(r, 16, ALNUM)}`;
    case 20: return `invoice no. ${digits(r, 10)}`;
    case 21: return `€${int(r, 1, 999)}.${digits(r, 3)},${digits(r, 2)}`;
    case 22: return `${int(r, 1, 9)}.${int(r, 0, 9)}.${int(r, 0, 9)}.${int(r, 0, 9)}.${int(r, 0, 9)}`;
    case 23: return `population ${int(r, 1, 99)} ${digits(r, 3)} ${digits(r, 3)}`;
    case 24: return `ISBN ${int(r, 0, 9)}-${digits(r, 3)}-${digits(r, 5)}-${int(r, 0, 9)}`;
    case 25: return `${d}/${mo}/${y} ${int(r, 10, 23)}:${int(r, 10, 59)}`;
    case 26: return `model ${rand(r, 2, UPPER)}${digits(r, 4)}-${digits(r, 3)}`;
    default: return `${int(r, 1, 50)} x ${int(r, 1, 50)} cm, ${int(r, 100, 9999)} g`;
  }
}

const LABEL: Record<EvalType, string[]> = {
  email: ['email', 'e-mail', 'mail', 'write to', 'contact'],
  phone: ['phone', 'tel.', 'call', 'mobile', 'Telefon', 'tél.', 'teléfono', 'fax', 'contact number', 'ph'],
  ip: ['IP', 'from', 'server', 'host', 'client address'],
  card: ['card', 'credit card', 'paid with', 'card number', 'CC'],
  ssn: ['SSN', 'social security number', 'SSN #'],
  iban: ['IBAN', 'account', 'bank account', 'transfer to'],
  secret: ['token', 'key', 'api key', 'credential'],
};

// the template mixes: {L} a label for the type, {X} the value; dev and heldout differ in phrasing and layout
const TEMPLATES: Record<'dev' | 'heldout', string[]> = {
  dev: ['{N} can be reached via {L} {X}.', '{L}: {X}', 'Please use {X} for this.', '{N} ({L} {X}) joined in {Y}.', 'Details — {L} {X}; thanks!', '{X}', 'My {L} is {X}, {N}.'],
  heldout: ['[{L}] "{X}"', '{N}, {L}: {X}\n', '| {L} | {X} |', 'Reach out ({X}) before {Y}.', "{L} {X}, or ask {N}'s office.", 'Updated {Y}: {X} — {L}.', '<{X}>', '{N} gave me {X} yesterday.', '{L}={X};'],
};

/**
 * `docs` documents of 4-10 sentences each, seeded; a sentence carries one PII value (type drawn evenly) or, one
 * time in three, a negative. Phone values without a label are written after a phone word half the time in the
 * dev mix only where the format is a bare digit string (no layout at all cannot be told from an id otherwise).
 */
export function generateSynthetic(seed: number, docs: number, mix: 'dev' | 'heldout'): SyntheticDoc[] {
  const r = rng(seed);
  const out: SyntheticDoc[] = [];
  for (let n = 0; n < docs; n++) {
    let text = '';
    const spans: GoldSpan[] = [];
    const negatives: string[] = [];
    const sentences = int(r, 4, 10);
    for (let s = 0; s < sentences; s++) {
      if (s > 0) text += pick(r, [' ', ' ', '\n', '  ', '\n\n']);
      const name = `${pick(r, FIRST)[0]!.toUpperCase()}. ${pick(r, LAST)}`;
      if (r() < 0.33) {
        const neg = negative(r);
        negatives.push(neg);
        text += pick(r, [`As of ${neg} nothing changed.`, `See ${neg}.`, `${neg} — ${name}`, `(${neg})`, `Total: ${neg}`]);
        continue;
      }
      const type = pick(r, EVAL_TYPES);
      const [value, kind] = GEN[type](r);
      let tpl = pick(r, TEMPLATES[mix]);
      // a value with no separators at all gets a label: "Please use 6123456789" is an id as much as a phone
      if (type === 'phone' && /^\d+$/.test(value) && !tpl.includes('{L}')) tpl = '{L}: {X}';
      const label = pick(r, LABEL[type]);
      const parts = tpl.split('{X}');
      const fill = (p: string) => p.replace('{L}', label).replace('{N}', name).replace('{Y}', String(int(r, 1990, 2025)));
      const head = fill(parts[0]!);
      text += head;
      spans.push({ type, start: text.length, end: text.length + value.length, value, kind });
      text += value + fill(parts[1] ?? '');
    }
    out.push({ text, spans, negatives });
  }
  return out;
}
