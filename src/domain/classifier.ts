// The `domain` stage's fallback for documents whose URL says nothing: the multi-class text classifier of
// src/classify/model.ts (fastText-style, TensorFlow.js), loaded by a dynamic import so that a run whose
// URLs all match never loads TensorFlow, and a checkout without that module still builds.
import { FatalError } from '../core/errors.js';

/** the classifier module's API (src/classify/model.ts): one probability per label, per text */
export interface Classifier {
  labels: string[];
  backend: string;
  predict(texts: string[]): Promise<Float32Array[]>;
  dispose(): void;
}

interface ClassifierModule {
  loadClassifier(dir: string): Promise<Classifier>;
  /** one loaded classifier per directory and process, shared by every task; never disposed */
  sharedClassifier?(dir: string): Promise<Classifier>;
}

/** relative to this file, so it resolves the same from src/ (tests) and from dist/ */
export const CLASSIFIER_MODULE = '../classify/model.js';

/**
 * The classifier in `dir` (the process-wide shared one when the module offers it, so the tasks of a run
 * load the weights once); a FatalError naming `field` when the module or the model is missing.
 */
export async function loadDomainClassifier(dir: string, field = 'model', specifier = CLASSIFIER_MODULE): Promise<Classifier> {
  let mod: ClassifierModule;
  try {
    mod = (await import(specifier)) as ClassifierModule;
  } catch (e) {
    throw new FatalError(`${field}: the text classifier module (src/classify/model.ts) is not available, so '${dir}' cannot be used: ${(e as Error).message}`, field);
  }
  if (typeof mod.loadClassifier !== 'function') throw new FatalError(`${field}: src/classify/model.ts has no loadClassifier(dir)`, field);
  try {
    if (typeof mod.sharedClassifier !== 'function') return await mod.loadClassifier(dir);
    // the shared instance outlives this stage: its dispose is left to the process
    const c = await mod.sharedClassifier(dir);
    return { labels: c.labels, backend: c.backend, predict: (texts) => c.predict(texts), dispose: () => {} };
  } catch (e) {
    if (e instanceof FatalError) throw e;
    throw new FatalError(`${field}: cannot load the classifier in '${dir}': ${(e as Error).message}`, field);
  }
}

/** the most probable label and its probability */
export function topLabel(labels: string[], probs: Float32Array): { label: string; score: number } {
  let best = 0;
  for (let i = 1; i < probs.length; i++) if (probs[i]! > probs[best]!) best = i;
  return { label: labels[best] ?? 'other', score: probs[best] ?? 0 };
}
