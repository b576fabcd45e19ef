// A worker process of the local executor (src/run/local-pool.ts): it receives one task of one pass at a
// time over IPC, runs it in this process, and reports progress, log lines and the task's report back.
// A process, not a thread: a worker killed mid-task (OOM, kill -9) takes nothing else down, and the
// parent reruns its task on a fresh worker.
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { FatalError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { parsePipeline, type Pipeline } from './config.js';
import { prepareRun, runPassTask, type RunSetup } from './pipeline.js';
import { allowedCpus, type ChildMessage, type TaskMessage } from './local-pool.js';

const send = (m: ChildMessage) => process.send!(m);

let cached: { key: string; setup: RunSetup } | undefined;

function setupFor(m: TaskMessage): RunSetup {
  const key = `${m.source}\0${m.outputDir}\0${(m.inputs ?? []).join('\0')}`;
  if (cached?.key !== key) {
    const p: Pipeline = parsePipeline(m.source, m.pipelineFile);
    cached = { key, setup: prepareRun(p, { inputs: m.inputs, outputDir: m.outputDir }) };
  }
  return cached.setup;
}

async function handle(m: TaskMessage): Promise<void> {
  const logFile = path.join(m.outputDir, 'logs', `${m.task}.pass-${m.pass}.log`);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = fs.openSync(logFile, 'a');
  const line = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string) => {
    fs.writeSync(fd, `${new Date().toISOString()} ${level} ${message}\n`);
    send({ type: 'log', level, message });
  };
  const log: Logger = { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
  try {
    log.debug(`worker process ${process.pid}, heap limit ${Math.round(v8.getHeapStatistics().heap_size_limit / 2 ** 20)} MB, on CPUs ${allowedCpus()?.join(',') ?? '(unknown)'}`);
    const setup = setupFor(m);
    const input = setup.all.find((f) => f.task === m.task);
    if (!input) throw new FatalError(`task ${m.task} is not among this run's inputs`, 'input.paths');
    let last = 0;
    const run = await runPassTask(setup, m.pass, input, {
      inputs: m.inputs,
      outputDir: m.outputDir,
      force: m.force,
      rank: m.rank,
      worldSize: m.worldSize,
      log,
      maxLoggedErrors: m.maxLoggedErrors,
      progress: {
        setTotalBytes() {},
        update(docs, bytes) {
          const now = Date.now();
          if (now - last < 200) return;
          last = now;
          send({ type: 'progress', id: m.id, docs, bytes });
        },
        clear() {},
        done() {},
      },
    }, { docs: 0, bytes: 0 });
    send({ type: 'done', id: m.id, run });
  } catch (e) {
    const err = e as Error;
    fs.writeSync(fd, `${new Date().toISOString()} error ${err.stack ?? err.message}\n`);
    send({ type: 'failed', id: m.id, message: err.message, fatal: e instanceof FatalError, field: e instanceof FatalError ? e.field : undefined, log: logFile });
  } finally {
    fs.closeSync(fd);
  }
}

process.on('message', (m: TaskMessage) => {
  if (m.type === 'task') void handle(m);
});
process.on('disconnect', () => process.exit(0));
