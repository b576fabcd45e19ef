// The token funnel's arithmetic: walked back from the kept documents' tokens, a stage's tokens in are its
// tokens out plus what it dropped, less the repeats it added; drops that were never written leave tokens unknown.
import { describe, expect, it } from 'vitest';
import { buildFunnel } from '../../src/inspect/funnel.js';
import type { TokenCounts, GroupTokens } from '../../src/inspect/tokens.js';
import type { RunReport } from '../../schemas/stats-report.js';

type StageRow = { name: string; in: number; out: number; dropped_total: number; added?: number; changed?: number };

function report(stages: StageRow[]): RunReport {
  const s = stages.map((x) => ({ changed: 0, added: 0, dropped: {}, counters: {}, ...x }));
  const kept = s[s.length - 1]!.out;
  const dropped = s.reduce((a, x) => a + x.dropped_total, 0);
  return { stages: s, totals: { docs_read: s[0]!.in, docs_kept: kept, docs_dropped: dropped, docs_added: 0, bad_records: 0, balanced: true } } as unknown as RunReport;
}

const g = (docs: number, tokens: number): GroupTokens => ({ docs, chars: tokens * 4, tokens });

function tokens(kept: GroupTokens, dropped: Record<string, GroupTokens>, repeats = g(0, 0)): TokenCounts {
  return { method: 'exact', rule: 'exact', sample_rate: 1, docs_counted: 0, chars_counted: 0, tokens_counted: 0, seconds: 0, kept, dropped_by_stage: dropped, repeats, kept_by_domain: {} };
}

describe('buildFunnel', () => {
  it('walks back from the kept tokens: in = out + dropped - added', () => {
    const r = report([
      { name: 'langid', in: 10, out: 7, dropped_total: 3 },
      { name: 'length', in: 7, out: 5, dropped_total: 2 },
      { name: 'mix', in: 5, out: 6, dropped_total: 1, added: 2 },
    ]);
    const f = buildFunnel(r, tokens(g(6, 600), { langid: g(3, 300), length: g(2, 50), mix: g(1, 100) }, g(2, 200)));
    expect(f.rows.map((x) => [x.stage, x.tokens_in, x.tokens_out, x.tokens_dropped, x.tokens_added])).toEqual([
      ['langid', 850, 550, 300, 0],
      ['length', 550, 500, 50, 0],
      ['mix', 500, 600, 100, 200],
    ]);
    expect(f.tokens_read).toBe(850);
    expect(f.tokens_kept).toBe(600);
    expect(f.notes).toEqual([]);
  });

  it('a stage name used twice shares its dropped tokens in proportion to its documents', () => {
    const r = report([
      { name: 'length', in: 10, out: 7, dropped_total: 3 },
      { name: 'length', in: 7, out: 6, dropped_total: 1 },
    ]);
    const f = buildFunnel(r, tokens(g(6, 600), { length: g(4, 400) }));
    expect(f.rows.map((x) => x.tokens_dropped)).toEqual([300, 100]);
    expect(f.tokens_read).toBe(1000);
  });

  it('drops that were not written leave that stage`s tokens unknown, and everything before it, and say so', () => {
    const r = report([
      { name: 'langid', in: 10, out: 7, dropped_total: 3 },
      { name: 'length', in: 7, out: 5, dropped_total: 2 },
      { name: 'pii', in: 5, out: 5, dropped_total: 0 },
    ]);
    const f = buildFunnel(r, tokens(g(5, 500), { langid: g(3, 300) }));
    expect(f.rows.map((x) => [x.tokens_in, x.tokens_out, x.tokens_dropped])).toEqual([
      [null, null, 300],
      [null, 500, null],
      [500, 500, 0],
    ]);
    expect(f.tokens_read).toBeNull();
    expect(f.notes[0]).toMatch(/not written to dropped\/ \(output\.writeDropped: false\?\): length \(2 of 2\)/);
  });

  it('without token counts: documents only', () => {
    const f = buildFunnel(report([{ name: 'length', in: 4, out: 3, dropped_total: 1 }]));
    expect(f.rows[0]).toMatchObject({ docs_in: 4, docs_out: 3, docs_dropped: 1, tokens_in: null });
    expect(f.tokens_kept).toBeNull();
  });
});
