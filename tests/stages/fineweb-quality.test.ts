import { describe, expect, it } from 'vitest';
import { finewebQuality, finewebQualityOptions, finewebQualityRules } from '../../stages/filter/fineweb-quality.js';
import { fixture, runFilter, verdict } from './filter-harness.js';

describe('fineweb_quality', () => {
  it('defaults are FineWeb\'s (Penedo et al. 2024; DataTrove FineWebQualityFilter)', () => {
    expect(finewebQualityOptions.parse({})).toEqual({
      linePunctThr: 0.12, linePunctExcludeZero: false, shortLineThr: 0.67, shortLineChars: 30, charDuplicatesRatio: 0.01, newLineRatio: 0.3,
    });
  });

  it('keeps pages of prose', async () => {
    const r = await runFilter(finewebQuality, [fixture('blj5uzvcoa4iybpd5o6kom5nir6ngmoj'), fixture('http://100women.ng/')]);
    expect(r.kept).toHaveLength(2);
  });

  it('drops real pages with the first rule they fail', async () => {
    // a wiki "what links here" page: navigation lines, none ending in punctuation
    expect(await verdict(finewebQuality, fixture('5vfthqpipzsjz57aunyw5mbj57a7fogu'))).toBe('line_punct_ratio');
    expect(await verdict(finewebQuality, fixture('t2gsnre5k3kfvb6kiixrj2xabgbp4h7k'))).toBe('short_line_ratio');
    // a Wiktionary category page whose "(vorige pagina) (volgende pagina)" line appears twice
    expect(await verdict(finewebQuality, fixture('7vjpdn3gkider5acogks36lopvhtumtd'))).toBe('char_dup_ratio');
    // a Wikipedia category page: more than one line break per three words
    expect(await verdict(finewebQuality, fixture('h5piyxd5gm4trbdwvv4ih2pcmnyrar4t'))).toBe('list_ratio');
  });

  it('measures as DataTrove does: lines split on \\n, blank lines count as lines but not as duplicates', () => {
    const text = 'A first line of the page, long enough to count.\n\nShort\n\nShort\nThe end of it all, said the last line!';
    const { values, failures } = finewebQualityRules(text, finewebQualityOptions.parse({}), true);
    // lines: 6 (2 blank), 2 end in punctuation, 4 are at most 30 characters; "Short" repeats once; 25 words
    expect(values.line_punct_ratio).toBeCloseTo(2 / 6, 6);
    expect(values.short_line_ratio).toBeCloseTo(4 / 6, 6);
    expect(values.char_dup_ratio).toBeCloseTo(5 / (text.length - 5), 6);
    expect(values.new_line_ratio).toBeCloseTo(5 / 25, 6);
    expect(failures).toEqual(['char_dup_ratio']);
  });

  it('the zero exception: linePunctExcludeZero spares pages without any punctuated line', async () => {
    const doc = fixture('5vfthqpipzsjz57aunyw5mbj57a7fogu');
    expect(finewebQualityRules(doc.text, finewebQualityOptions.parse({}), true).values.line_punct_ratio).toBe(0);
    expect(await verdict(finewebQuality, doc, { linePunctExcludeZero: true })).not.toBe('line_punct_ratio');
  });
});
