import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seededRandom } from '../../src/dedup/perturb.js';
import { curate, runOutputs } from '../helpers/run-dir.js';
import { allowedCpus, workerExecArgv } from '../../src/run/local-pool.js';

// The local executor's worker pool against the in-process run: same outputs, a killed worker costs
// nothing, a failing task is retried then named, `curate status` follows it all.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-exec-'));
const real = fs.readFileSync('tests/fixtures/docs/cc-2019-30-40docs.jsonl', 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; text: string });

/** 4 shards: the real documents (each shard repeating some of the others', so dedup crosses shards) */
function smallShards(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (let k = 0; k < 4; k++) {
    const docs = real.filter((_, j) => (j + k) % 2 === 0).map((d, j) => ({ id: `${d.id}-${k}-${j}`, text: d.text }));
    fs.writeFileSync(path.join(dir, `shard-${k}.jsonl`), docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
  }
}

const pipelineYaml = (input: string) => `name: exec\ninput:\n  paths: [${input}]\noutput:\n  formats: [parquet]\nstages:\n  - exact_dedup\n  - minhash_dedup\n  - length:\n      minWords: 50\n  - gopher_quality\n`;



describe('local executor with worker processes', () => {
  const input = path.join(tmp, 'in');
  smallShards(input);
  const yaml = path.join(tmp, 'p.yaml');
  fs.writeFileSync(yaml, pipelineYaml(input));

  it('writes the same outputs and stats as the in-process run', () => {
    const one = curate(['run', yaml, '--output', path.join(tmp, 'one'), '--workers', '1']);
    expect(one.status, one.stderr).toBe(0);
    const pool = curate(['run', yaml, '--output', path.join(tmp, 'pool'), '--workers', '3']);
    expect(pool.status, pool.stderr).toBe(0);
    expect(pool.stderr).toContain('on 3 worker process(es)');
    expect(Object.keys(runOutputs(path.join(tmp, 'one'))).length).toBeGreaterThan(3);
    expect(runOutputs(path.join(tmp, 'pool'))).toEqual(runOutputs(path.join(tmp, 'one')));
    const stats = (d: string) => JSON.parse(fs.readFileSync(path.join(tmp, d, 'stats.json'), 'utf8'));
    expect(stats('pool').totals).toEqual(stats('one').totals);
    expect(stats('pool').stages).toEqual(stats('one').stages);
    const status = curate(['status', path.join(tmp, 'pool')]);
    expect(status.status).toBe(0);
    expect(status.stdout).toContain('pass 2: 4/4 done');
    expect(status.stdout).toContain('finished');
  });

  const cpus = allowedCpus();
  const taskset = spawnSync('taskset', ['--version']).status === 0;
  it.skipIf(!cpus || !taskset)('--pin puts each worker on one CPU; without it a worker may use every CPU', () => {
    const cpusIn = (dir: string) =>
      fs.readdirSync(path.join(dir, 'logs')).map((f) => /on CPUs (\S+)/.exec(fs.readFileSync(path.join(dir, 'logs', f), 'utf8'))?.[1]);
    const workers = String(Math.max(2, cpus!.length));
    const pinned = curate(['run', yaml, '--output', path.join(tmp, 'pinned'), '--workers', workers, '--pin']);
    expect(pinned.status, pinned.stderr).toBe(0);
    expect(pinned.stderr).toContain('pinned to one CPU');
    const seen = cpusIn(path.join(tmp, 'pinned'));
    expect(seen.length).toBeGreaterThanOrEqual(4);
    for (const c of seen) expect(cpus).toContain(Number(c)); // one CPU each, one this process may use
    if (cpus!.length > 1) expect(new Set(seen).size).toBeGreaterThan(1);
    const free = curate(['run', yaml, '--output', path.join(tmp, 'unpinned'), '--workers', workers]);
    expect(free.status, free.stderr).toBe(0);
    expect(free.stderr).not.toContain('pinned to one CPU');
    for (const c of cpusIn(path.join(tmp, 'unpinned'))) expect(c).toBe(cpus!.join(','));
    expect(runOutputs(path.join(tmp, 'pinned'))).toEqual(runOutputs(path.join(tmp, 'unpinned')));
  });

  it("runs the workers with the parent's heap settings, and only those", () => {
    expect(workerExecArgv(['-e', 'x()', '--max-old-space-size=300', '--inspect=9229', '--max_semi_space_size=32', '--require', 'hook.cjs'])).toEqual(['--max-old-space-size=300', '--max_semi_space_size=32']);
    const dir = path.join(tmp, 'heap');
    const r = spawnSync(process.execPath, ['--max-old-space-size=300', 'bin/curate.js', 'run', yaml, '--output', dir, '--workers', '2'], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(r.status, r.stderr).toBe(0);
    const limits = fs.readdirSync(path.join(dir, 'logs')).map((f) => Number(/heap limit (\d+) MB/.exec(fs.readFileSync(path.join(dir, 'logs', f), 'utf8'))?.[1]));
    expect(limits.length).toBeGreaterThanOrEqual(4);
    // 300 MB of old space and the young generation; V8's default is far above on any machine that runs the tests
    for (const l of limits) {
      expect(l).toBeGreaterThanOrEqual(300);
      expect(l).toBeLessThan(400);
    }
  });

  it('reads the CPU list of /proc/self/status', () => {
    const f = path.join(tmp, 'status');
    fs.writeFileSync(f, 'Name:\tnode\nCpus_allowed:\t3f\nCpus_allowed_list:\t0-2,5,7-8\n');
    expect(allowedCpus(f)).toEqual([0, 1, 2, 5, 7, 8]);
    expect(allowedCpus(path.join(tmp, 'missing'))).toBeNull();
  });

  it('retries a failing task, names it, and the run ends non-zero; a rerun redoes what it needs', () => {
    const dir = path.join(tmp, 'broken');
    expect(curate(['run', yaml, '--output', dir, '--workers', '2']).status).toBe(0);
    // pass 1 of one task must be redone, but the documents pass 0 left for it are gone
    const lost = path.join(dir, '_passes', '0', '00002-shard-2.jsonl.00000.jsonl.gz');
    fs.rmSync(lost);
    fs.rmSync(path.join(dir, '_done', 'pass-1', '00002-shard-2.jsonl.json'));
    const broken = curate(['run', yaml, '--output', dir, '--workers', '2', '--retries', '1']);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain('00002-shard-2.jsonl: pass 1 failed (');
    expect(broken.stderr).toContain('retry 1 of 1');
    expect(broken.stderr).toMatch(/00002-shard-2\.jsonl: pass 1 failed after 2 attempt\(s\): .*pass 0 has not finished for this task|is missing/);
    const status = curate(['status', dir]);
    expect(status.status).toBe(1);
    expect(status.stdout).toMatch(/pass 1: 3\/4 done, 1 failed/);
    expect(status.stdout).toContain('failed 00002-shard-2.jsonl');
    const again = curate(['run', yaml, '--output', dir, '--workers', '2']);
    expect(again.status, again.stderr).toBe(0);
    expect(runOutputs(dir)).toEqual(runOutputs(path.join(tmp, 'one')));
  });

  it('a worker killed with SIGKILL mid-task loses nothing: its task is redone and the output is the same', async () => {
    // big enough shards that a task is still running when the worker is killed
    const bigIn = path.join(tmp, 'big-in');
    fs.mkdirSync(bigIn, { recursive: true });
    const words = real.flatMap((d) => d.text.split(/\s+/)).filter(Boolean);
    const random = seededRandom(3);
    for (let k = 0; k < 2; k++) {
      const lines: string[] = [];
      for (let i = 0; i < 15_000; i++) {
        const n = 60 + Math.floor(random() * 200);
        const w: string[] = [];
        for (let j = 0; j < n; j++) w.push(words[Math.floor(random() * words.length)]!);
        lines.push(JSON.stringify({ id: `d${k}-${i}`, text: w.join(' ') }));
      }
      fs.writeFileSync(path.join(bigIn, `big-${k}.jsonl`), lines.join('\n') + '\n');
    }
    const bigYaml = path.join(tmp, 'big.yaml');
    fs.writeFileSync(bigYaml, `name: big\ninput:\n  paths: [${bigIn}]\noutput:\n  formats: [parquet]\nstages:\n  - gopher_repetition\n  - gopher_quality\n  - length:\n      minWords: 80\n`);
    const reference = curate(['run', bigYaml, '--output', path.join(tmp, 'big-ref'), '--workers', '1']);
    expect(reference.status, reference.stderr).toBe(0);

    const dir = path.join(tmp, 'big-killed');
    const child = spawn(process.execPath, ['bin/curate.js', 'run', bigYaml, '--output', dir, '--workers', '2'], { env: { ...process.env, CI: 'true' } });
    let stderr = '';
    child.stderr.on('data', (b) => (stderr += b));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // wait until a task is writing (a temporary output file exists), then kill every worker process
    const docsDir = path.join(dir, 'docs');
    let killed = 0;
    for (let t = 0; t < 400 && killed === 0; t++) {
      await new Promise((r) => setTimeout(r, 25));
      const writing = fs.existsSync(docsDir) && fs.readdirSync(docsDir).some((f) => f.endsWith('.tmp'));
      if (!writing) continue;
      const pids = spawnSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
          killed++;
        } catch {
          // already gone
        }
      }
    }
    expect(killed).toBeGreaterThan(0);
    expect(await exited, stderr).toBe(0);
    expect(stderr).toMatch(/exited \(SIGKILL\) during the task/);
    expect(runOutputs(dir)).toEqual(runOutputs(path.join(tmp, 'big-ref')));
    const stats = JSON.parse(fs.readFileSync(path.join(dir, 'stats.json'), 'utf8'));
    expect(stats.totals).toMatchObject({ docs_read: 30_000, balanced: true });
  }, 60_000);
});
