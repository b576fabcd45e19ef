// How many documents of ../shared/data/web-docs each heuristic rule drops (our implementation), as a
// table to hold against DataTrove's published rule definitions. Prints one JSON line:
// `npx tsc -p . && node dist/bench/datatrove-rules.js`.
//
// DataTrove itself cannot run here (no PyPI), so the comparison is with its rule definitions (the files
// cited in each stage), not with its output. Where our definitions knowingly differ, `known_differences`
// below says how.
import { isEntryPoint, machine, note, printResult, runMain } from './common.js';
import { benchContext, loadWebDocs } from './filters.js';
import type { Doc } from '../src/core/doc.js';
import type { StageDefinition } from '../src/core/stage.js';
import { Counters } from '../src/core/stats.js';
import { fromArray } from '../src/core/iterables.js';
import { identify, loadLanguageModel } from '../src/langid/fasttext.js';
import { STAGES } from '../stages/index.js';
import { badWordsMatcher } from '../stages/filter/c4-badwords.js';
import { c4Options, c4Rules } from '../stages/filter/c4.js';
import { finewebQualityOptions, finewebQualityRules } from '../stages/filter/fineweb-quality.js';
import { gopherQualityOptions, gopherQualityRules } from '../stages/filter/gopher-quality.js';
import { gopherRepetitionOptions, gopherRepetitionRules } from '../stages/filter/gopher-repetition.js';

interface RuleCounts {
  /** documents failing this rule, each filter run alone on every document (a document can fail several) */
  fail: number;
  /** documents the filter run alone drops with this reason (the first rule failed, in DataTrove's order) */
  drop: number;
}

const KNOWN_DIFFERENCES = [
  "words: DataTrove splits English with spaCy's rule-based tokenizer (NLTK's word_tokenize in older versions); src/text/words.ts is our own implementation of spaCy's English prefix/suffix/infix rules with a short exception list, so word counts can differ by a few tokens per document (abbreviations, emoticons, unit suffixes like '5km')",
  "gopher_repetition: duplicated 5- to 10-grams are compared word by word; DataTrove compares the words joined with no separator, so ['ab','c'] and ['a','bc'] are one n-gram there (the counted characters are the same). On this set that changes 1 of 4,410 document x n measures",
  "c4: sentences are counted with our approximation of NLTK Punkt (src/text/sentences.ts: abbreviations, initials, numbers), not Punkt's trained English model; only split_paragraph=True (lines) is implemented",
  "c4_badwords: list entries are lower-cased when loaded (DataTrove matches them as written against lower-cased text, so capitalised entries of es/de/fr/tr/zh never match there); a language without a list is kept and counted, not an error (DataTrove's fail_on_missing_language=True raises); keep_fraction uses a hash of the document id instead of a random draw; lid.176 codes tl and nb map to the fil and no lists",
  'url_filter: a blocked domain blocks every subdomain (DataTrove checks the registered domain and the full host name only); DataTrove ships the UT1 adult list and banned-word lists by default, we ship none (empty lists: nothing is dropped unless lists are given), so its counts here are 0 by construction',
  "gopher_quality, fineweb_quality, gopher_repetition: an empty text gets ratios of 0 where DataTrove divides by zero and raises",
];

async function main(): Promise<void> {
  const env = machine();
  const { docs, files } = loadWebDocs();
  note(`${docs.length} documents; identifying languages...`);
  // c4_badwords reads meta.language, as the langid stage fills it
  const ft = await loadLanguageModel();
  const languages: Record<string, number> = {};
  for (const d of docs) {
    const top = identify(ft, d.text, 1)[0];
    if (top) {
      d.meta.language = top.language;
      languages[top.language] = (languages[top.language] ?? 0) + 1;
    }
  }

  // every rule of every filter, in its order, so that rules nothing fails show up as 0
  const ALL_RULES: Record<string, string[]> = {
    gopher_repetition: ['dup_para_frac', 'dup_para_char_frac', 'dup_line_frac', 'dup_line_char_frac', 'top_2_gram', 'top_3_gram', 'top_4_gram', ...[5, 6, 7, 8, 9, 10].map((n) => `duplicated_${n}_n_grams`)],
    gopher_quality: ['gopher_short_doc', 'gopher_long_doc', 'gopher_below_avg_threshold', 'gopher_above_avg_threshold', 'gopher_too_many_hashes', 'gopher_too_many_ellipsis', 'gopher_too_many_bullets', 'gopher_too_many_end_ellipsis', 'gopher_below_alpha_threshold', 'gopher_enough_stop_words'],
    c4: ['lorem_ipsum', 'curly_bracket', 'too_few_sentences'],
    fineweb_quality: ['line_punct_ratio', 'short_line_ratio', 'char_dup_ratio', 'list_ratio'],
    c4_badwords: ['document_removed_with_badwords'],
  };
  const rules: Record<string, Record<string, RuleCounts>> = {};
  for (const [filter, reasons] of Object.entries(ALL_RULES)) rules[filter] = Object.fromEntries(reasons.map((r) => [r, { fail: 0, drop: 0 }]));
  const tally = (filter: string, failures: string[]) => {
    const table = (rules[filter] ??= {});
    failures.forEach((reason, i) => {
      const r = (table[reason] ??= { fail: 0, drop: 0 });
      r.fail++;
      if (i === 0) r.drop++;
    });
  };
  const rep = gopherRepetitionOptions.parse({});
  const qual = gopherQualityOptions.parse({});
  const c4o = c4Options.parse({});
  const fw = finewebQualityOptions.parse({});
  for (const d of docs) {
    tally('gopher_repetition', gopherRepetitionRules(d.text, rep, true).failures);
    tally('gopher_quality', gopherQualityRules(d.text, qual).failures);
    tally('c4', c4Rules(d.text, c4o, true).failures);
    tally('fineweb_quality', finewebQualityRules(d.text, fw, true).failures);
    const lang = typeof d.meta.language === 'string' ? d.meta.language : 'en';
    const matcher = badWordsMatcher(lang);
    tally('c4_badwords', matcher?.find(d.text) !== undefined ? ['document_removed_with_badwords'] : []);
  }
  const droppedBy: Record<string, number> = {};
  for (const [filter, table] of Object.entries(rules)) droppedBy[filter] = Object.values(table).reduce((n, r) => n + r.drop, 0);

  // FineWeb's order (Penedo et al. 2024, figure 1, after URL filtering, extraction and language id):
  // Gopher repetition, Gopher quality, C4 (which rewrites the text), FineWeb's rules; then C4's bad words
  const order = ['url_filter', 'gopher_repetition', 'gopher_quality', 'c4', 'fineweb_quality', 'c4_badwords'];
  note(`funnel: ${order.join(' -> ')}`);
  let stream: AsyncIterable<Doc> = fromArray(docs.map((d) => ({ id: d.id, text: d.text, meta: { ...d.meta } })));
  const stats: Record<string, Counters> = {};
  for (const name of order) {
    const definition = STAGES[name] as StageDefinition;
    const counters = (stats[name] = new Counters());
    const ctx = benchContext(name, counters);
    ctx.drop = (_d, reason) => counters.inc(`dropped.${reason}`);
    stream = definition.create(definition.options.parse({})).run(stream, ctx);
  }
  let kept = 0;
  for await (const _ of stream) kept++;
  const funnel = order.map((name) => ({ stage: name, dropped: stats[name]!.withPrefix('dropped'), counters: Object.fromEntries(Object.entries(stats[name]!.toJSON()).filter(([k]) => !k.startsWith('dropped.'))) }));

  printResult({
    bench: 'datatrove-rules',
    machine: env,
    input: { set: 'shared/data/web-docs', docs: docs.length, files, languages },
    comparison: 'against DataTrove\'s rule definitions (gopher_quality_filter.py, gopher_repetition_filter.py, c4_filters.py, fineweb_quality_filter.py, url_filter.py); DataTrove was not run',
    rules,
    dropped_by_filter_alone: droppedBy,
    url_filter: { dropped: 0, note: 'no blocklist ships (DataTrove downloads UT1); with lists given it drops url_blocked_domain / url_blocked_word' },
    funnel: { order, kept, stages: funnel },
    known_differences: KNOWN_DIFFERENCES,
  });
}

if (isEntryPoint(import.meta.url)) runMain(main);
