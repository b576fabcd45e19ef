// The `curate` command as a user runs it (the compiled bin; `npm test` builds first).
import { describe, expect, it, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-cli-'));
const runDir = path.join(tmp, 'smoke');

function curate(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ['bin/curate.js', ...args], { input, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!fs.existsSync('dist/src/cli/main.js')) throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
});

describe('curate run', () => {
  it('runs the smoke pipeline, prints the summary and where the Parquet is, quietly without a TTY', () => {
    const r = curate(['run', 'pipelines/smoke.yaml', '--output', runDir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/stage\s+in\s+kept\s+changed\s+dropped\s+drop reasons/);
    expect(r.stderr).toMatch(/documents: 54 read = \d+ kept \+ \d+ dropped; 0 bad records/);
    expect(r.stderr).toContain(`kept documents:    ${runDir}/docs/`);
    expect(r.stderr).not.toContain('\r');
    expect(fs.existsSync(path.join(runDir, 'stats.json'))).toBe(true);
    expect(fs.readFileSync(path.join(runDir, 'run.log'), 'utf8')).toContain('pipeline smoke');
  });

  it('a broken config stops before the run starts, naming the field', () => {
    const bad = path.join(tmp, 'bad.yaml');
    const out = path.join(tmp, 'never');
    fs.writeFileSync(bad, fs.readFileSync('pipelines/smoke.yaml', 'utf8').replace('minWords: 50', 'minWord: 50'));
    const r = curate(['run', bad, '--output', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`curate run: ${bad}: stages[5].length.minWord: unknown option 'minWord' (did you mean 'minWords'?)`);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a missing input is a clear error', () => {
    const r = curate(['run', 'pipelines/smoke.yaml', '--input', path.join(tmp, 'nope.warc.gz'), '--output', path.join(tmp, 'x')]);
    expect(r.code).toBe(2);
    expect(fs.existsSync(path.join(tmp, 'x'))).toBe(false);
    expect(r.stderr).toMatch(/input\.paths: .*nope\.warc\.gz does not exist/);
  });
});

describe('curate stage', () => {
  it('extract: JSONL {id, url, html} in, {id, url, text, meta} out', () => {
    const page = fs.readFileSync('tests/fixtures/charset/munvnukovo.windows-1251.html');
    const html = new TextDecoder('windows-1251').decode(page);
    const input = JSON.stringify({ id: 'ru-1', url: 'http://www.munvnukovo.ru/x', html }) + '\n' + JSON.stringify({ id: 'empty', html: '<p></p>' }) + '\n';
    const r = curate(['stage', 'extract'], input);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ id: 'ru-1', url: 'http://www.munvnukovo.ru/x', text: expect.stringContaining('Прокурор'), meta: { extractor: 'fast_content' } });
    expect(Object.keys(lines[0])).toEqual(['id', 'url', 'text', 'meta']);
    expect(r.stderr).toMatch(/extract: 2 in, 1 out, 1 dropped \(no_text 1\)/);
  });

  it('length with --opt on real documents, dropped ones to a file', () => {
    const input = fs.readFileSync('tests/fixtures/docs/cc-2019-30-40docs.jsonl', 'utf8');
    const droppedFile = path.join(tmp, 'dropped.jsonl');
    const r = curate(['stage', 'length', '--opt', 'minWords=300', '--dropped', droppedFile], input);
    expect(r.code).toBe(0);
    const kept = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const dropped = fs.readFileSync(droppedFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(kept.length + dropped.length).toBe(40);
    for (const d of kept) expect(d.text.split(/\s+/).filter(Boolean).length).toBeGreaterThanOrEqual(300);
    expect(dropped[0]).toMatchObject({ drop_stage: 'length', drop_reason: 'too_few_words' });
    expect(r.stderr).toContain(`length: 40 in, ${kept.length} out, ${dropped.length} dropped (too_few_words ${dropped.length})`);
  });

  it('an unknown stage or option is refused with a suggestion', () => {
    expect(curate(['stage', 'lenght'], '').stderr).toMatch(/unknown stage 'lenght' \(did you mean 'length'\?\)/);
    const r = curate(['stage', 'length', '--opt', 'minWord=3'], '');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/stage\.length\.minWord: unknown option 'minWord' \(did you mean 'minWords'\?\)/);
  });

  it('bad JSONL lines are named and skipped', () => {
    const r = curate(['stage', 'length', '--opt', 'minWords=1'], '{"id":"a","text":"hello there"}\nnot json\n{"id":"b","text":"general kenobi"}\n');
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(['a', 'b']);
    expect(r.stderr).toMatch(/stdin@32: malformed_json/);
  });
});

describe('curate inspect', () => {
  it('shows counts, drop reasons, lengths and samples of a run', () => {
    const r = curate(['inspect', runDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/kept documents: \d+/);
    expect(r.stdout).toMatch(/text length \(chars\): min \d+/);
    expect(r.stdout).toMatch(/langid\s+language_not_kept\s+\d+/);
    expect(r.stdout).toContain('sample of kept documents:');
  });

  it('--sql queries the outputs with DuckDB; --json for scripts', () => {
    const stats = JSON.parse(fs.readFileSync(path.join(runDir, 'stats.json'), 'utf8'));
    const r = curate(['inspect', runDir, '--sql', 'SELECT count(*) AS n FROM docs', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ n: stats.totals.docs_kept });
    const t = curate(['inspect', runDir, '--sql', "SELECT drop_reason, count(*) AS n FROM dropped WHERE drop_stage = 'langid' GROUP BY 1"]);
    expect(t.stdout).toMatch(/drop_reason\s+n\n-+\s+-+\nlanguage_not_kept\s+\d+/);
    const bad = curate(['inspect', runDir, '--sql', 'SELECT nope FROM docs']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--sql: .*nope/);
  });

  it('also takes a single Parquet file', () => {
    const file = fs.readdirSync(path.join(runDir, 'docs')).find((f) => f.endsWith('.parquet'))!;
    const r = curate(['inspect', path.join(runDir, 'docs', file), '--json']);
    expect(JSON.parse(r.stdout).docs).toBeGreaterThan(0);
  });
});
