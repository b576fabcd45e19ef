// `curate inspect <train dir>`: the training log (log.jsonl) as a table of last and best values, JSON, SQL,
// and an HTML report with the curves of loss, perplexity, learning rate and tokens/s. The log is written
// here the way `curate train` writes it: step lines, validation lines, a start line, a line cut by a crash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readTrainLog, summarizeTrain, trainReportHtml } from '../../src/inspect/train.js';
import { findChromium, markCount, markLabels, openReport, type OpenReport } from './browser.js';
import { curateInProcess } from '../helpers/run-dir.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-train-inspect-'));
const trainDir = path.join(tmp, 'pretrain');
const reportFile = path.join(tmp, 'train.html');
const STEPS = 300;

function lr(step: number): number {
  const warmup = 20;
  if (step < warmup) return (6e-4 * (step + 1)) / warmup;
  return 6e-5 + 0.5 * (6e-4 - 6e-5) * (1 + Math.cos((Math.PI * (step - warmup)) / (STEPS - warmup)));
}

const lines: string[] = [JSON.stringify({ event: 'start', step: 0, backend: 'cpu', parameters: 120_000, model: { layers: 2, heads: 2, width: 64 }, steps: STEPS, unigram_val_ppl: 600 })];
const val: Array<{ step: number; val_loss: number }> = [];
for (let step = 0; step < STEPS; step++) {
  const loss = 2.6 + 8.2 * Math.exp(-step / 60) + 0.05 * Math.sin(step);
  lines.push(JSON.stringify({ step, loss: Number(loss.toFixed(4)), lr: lr(step), tokens_per_s: 4000 + 300 * Math.sin(step / 7) + (step === 150 ? 2000 : 0), grad_norm: 1 / (1 + step / 50), mfu: null, tokens: (step + 1) * 8192, elapsed_s: step * 2 }));
  if (step % 100 === 99) {
    // validation bottoms out at step 199, then overfits a little
    const v = step === 199 ? 3.01 : step === 99 ? 3.4 : 3.05;
    val.push({ step, val_loss: v });
    lines.push(JSON.stringify({ step, val_loss: v, val_ppl: Number(Math.exp(v).toFixed(3)), unigram_val_ppl: 600 }));
  }
}
lines.push('{"step": 300, "loss": 2.7'); // cut by a crash
const TOKENS_PEAK = Math.max(...lines.slice(1, -1).map((l) => JSON.parse(l) as { tokens_per_s?: number }).map((o) => o.tokens_per_s ?? 0));

let view: OpenReport | undefined;

const curate = curateInProcess;

beforeAll(async () => {
  fs.mkdirSync(trainDir, { recursive: true });
  fs.writeFileSync(path.join(trainDir, 'log.jsonl'), lines.join('\n') + '\n');
  const r = await curate(['inspect', trainDir, '--report', reportFile]);
  expect(r.code, r.err).toBe(0);
});

afterAll(async () => {
  await view?.browser.close();
});

describe('curate inspect <train dir>', () => {
  it('the terminal: last and best of each metric, perplexity derived from the loss, the cut line counted', async () => {
    const r = await curate(['inspect', trainDir]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${STEPS} steps logged (0 to ${STEPS - 1}), 1 unreadable lines skipped`);
    expect(r.out).toMatch(/metric\s+last\s+at step\s+best\s+at step\s+points/);
    expect(r.out).toMatch(/\nval_loss\s+3\.05\s+299\s+3\.01\s+199\s+3\n/);
    expect(r.out).toMatch(/\nppl \(exp\(loss\)\)\s+[\d.]+\s+299/);
    expect(r.out).toMatch(new RegExp(`\\ntokens_per_s\\s+\\d+\\s+299\\s+${Math.round(TOKENS_PEAK)}\\s+150\\s+${STEPS}\\n`));
    expect(r.out).toMatch(/\ngrad_norm\s+/);
  });

  it('--json and --sql over the log', async () => {
    const j = await curate(['inspect', trainDir, '--json']);
    const s = JSON.parse(j.out) as ReturnType<typeof summarizeTrain>;
    expect(s.kind).toBe('train');
    expect(s.metrics.find((m) => m.metric === 'val_loss')).toMatchObject({ best: 3.01, best_step: 199, last: 3.05, last_step: 299, points: 3 });
    expect(s.metrics.find((m) => m.metric === 'val_ppl')).toMatchObject({ source: 'val_ppl', best: Number(Math.exp(3.01).toFixed(3)) });
    expect(s.events[0]).toMatchObject({ event: 'start' });
    const q = await curate(['inspect', trainDir, '--sql', 'SELECT count(*) AS n, min(val_loss) AS best FROM log WHERE val_loss IS NOT NULL', '--json']);
    expect(q.code, q.err).toBe(0);
    expect(JSON.parse(q.out)).toEqual({ n: 3, best: 3.01 });
  });

  it('the report draws loss (train and val), perplexity, learning rate, tokens/s and the other logged values, with nothing fetched', async () => {
    findChromium(); // without one this test fails, saying how to install it
    view = await openReport(reportFile);
    const { page, blocked, errors } = view;
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
    for (const chart of ['loss', 'perplexity', 'lr', 'tokens-per-s', 'extra-grad_norm']) expect(await markCount(page, chart), chart).toBeGreaterThan(0);
    const loss = await markLabels(page, 'loss');
    for (const v of val) expect(loss).toContain(`val loss (nats/token) at step ${v.step}: ${v.val_loss}`);
    expect(loss.some((l) => l.startsWith('train loss (nats/token) at step'))).toBe(true);
    expect(await markLabels(page, 'perplexity')).toContain('unigram baseline (val) perplexity at step 199: 600');
    // the start line is a record, shown as such, not a metric
    expect(await page.$('#metrics-table tr[data-metric="parameters"]')).toBeNull();
    expect(await page.$eval('#events', (e) => e.textContent)).toContain('"parameters": 120000');
    expect(await page.$eval('#metrics-table tr[data-metric="val_loss"] [data-field="best"]', (e) => e.textContent)).toBe('3.01');
    expect(await page.$eval('.card[data-field="bad_lines"] b', (e) => e.textContent)).toBe('1');
    await page.screenshot({ path: path.join(tmp, 'train.png'), fullPage: true });
  });

  it('is tolerant of what a log holds: other names, no validation, nothing but steps', async () => {
    const other = path.join(tmp, 'other.jsonl');
    fs.writeFileSync(other, [{ iter: 0, train_loss: 5, learning_rate: 1e-3, tok_per_s: 100 }, { iter: 10, train_loss: 4, learning_rate: 1e-3, tok_per_s: 120 }].map((o) => JSON.stringify(o)).join('\n'));
    const s = summarizeTrain(readTrainLog(other));
    expect(s.metrics.map((m) => m.metric)).toEqual(['loss', 'ppl', 'lr', 'tokens_per_s']);
    expect(s.metrics[0]).toMatchObject({ source: 'train_loss', last: 4, best: 4, best_step: 10 });
    const html = await trainReportHtml(readTrainLog(other));
    expect(html).toContain('data-chart="loss"');
    expect(html).not.toContain('data-chart="extra-');

    const bare = path.join(tmp, 'bare', 'log.jsonl');
    fs.mkdirSync(path.dirname(bare));
    fs.writeFileSync(bare, '{"event":"start"}\nnot json\n');
    const r = await curate(['inspect', path.dirname(bare), '--report', path.join(tmp, 'bare.html')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('no metrics: no line has a numeric step');
    expect(fs.readFileSync(path.join(tmp, 'bare.html'), 'utf8')).toContain('No loss, perplexity, learning rate or tokens/s in the log.');
  });
});
