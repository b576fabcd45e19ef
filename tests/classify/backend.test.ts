// Backend selection: the best backend that loads here is chosen, the ones before it are reported with
// the reason they failed, and a forced backend is used or refused with its reason.
import { describe, expect, it } from 'vitest';
import { BACKEND_ORDER, selectBackend, tf } from '../../src/tensor/backend.js';
import { FatalError } from '../../src/core/errors.js';

describe('selectBackend', () => {
  it('falls through to a working backend and reports each skipped one with a reason', async () => {
    const choice = await selectBackend({ env: {} });
    const at = BACKEND_ORDER.indexOf(choice.backend);
    expect(at).toBeGreaterThanOrEqual(0);
    // every better backend was tried and failed, in order
    expect(choice.skipped.map((s) => s.backend)).toEqual(BACKEND_ORDER.slice(0, at));
    for (const s of choice.skipped) expect(s.reason.length).toBeGreaterThan(3);
    expect(choice.forced).toBe(false);
    expect(tf.getBackend()).toBe(choice.tfName);
    expect(choice.describe()).toContain(`tensorflow backend: ${choice.backend}`);
    // on a machine without libtensorflow (npm's install script could not download it) the reason says so
    const node = choice.skipped.find((s) => s.backend === 'tfjs-node');
    if (node) expect(node.reason).toMatch(/not installed|libtensorflow|Cannot|failed/i);
  });

  it('uses a forced backend, from the option or CURATE_TF_BACKEND', async () => {
    const cpu = await selectBackend({ prefer: 'cpu' });
    expect(cpu).toMatchObject({ backend: 'cpu', forced: true, skipped: [] });
    expect(tf.getBackend()).toBe('cpu');
    const fromEnv = await selectBackend({ env: { CURATE_TF_BACKEND: 'wasm,cpu' } });
    expect(['wasm', 'cpu']).toContain(fromEnv.backend);
    expect(fromEnv.forced).toBe(true);
  });

  it('refuses an unknown name, and a forced list where nothing loads, saying why', async () => {
    await expect(selectBackend({ env: { CURATE_TF_BACKEND: 'tpu' } })).rejects.toThrow(/CURATE_TF_BACKEND: unknown TensorFlow.js backend 'tpu'/);
    const best = await selectBackend({ env: {} });
    const failing = best.skipped.map((s) => s.backend);
    if (failing.length) {
      const err = await selectBackend({ prefer: failing }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FatalError);
      expect((err as Error).message).toContain(`no TensorFlow.js backend could be loaded (tried ${failing[0]}: `);
    }
  });
});
