// Classifier metrics: ROC AUC (rank statistic, ties averaged) and accuracy; for K > 2 labels the AUC
// is the macro average of one-vs-rest AUCs, as scikit-learn's roc_auc_score(multi_class='ovr').

/** AUC of `scores` for telling positives from negatives; null when one side is empty */
export function auc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number | null {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const rank = (i + j) / 2 + 1; // average rank of the tie group, 1-based
    for (let k = i; k <= j; k++) {
      if (positive[order[k]!]) {
        pos++;
        rankSum += rank;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return null;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export interface ClassifierMetrics {
  auc: number | null;
  accuracy: number | null;
  auc_by_label: Record<string, number | null>;
  examples: number;
}

/**
 * Metrics of predicted probabilities against true label indices. `positive` (binary models) makes `auc`
 * that label's AUC; otherwise it is the macro average over the labels that occur.
 */
export function evaluate(probabilities: Float32Array[], truth: number[], labels: string[], positive?: number): ClassifierMetrics {
  const n = truth.length;
  if (n === 0) return { auc: null, accuracy: null, auc_by_label: {}, examples: 0 };
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const p = probabilities[i]!;
    let best = 0;
    for (let k = 1; k < p.length; k++) if (p[k]! > p[best]!) best = k;
    if (best === truth[i]) correct++;
  }
  const byLabel: Record<string, number | null> = {};
  labels.forEach((label, k) => {
    byLabel[label] = auc(probabilities.map((p) => p[k]!), truth.map((t) => t === k));
  });
  let overall: number | null;
  if (positive !== undefined) overall = byLabel[labels[positive]!] ?? null;
  else {
    const known = Object.values(byLabel).filter((v): v is number => v !== null);
    overall = known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
  }
  return { auc: overall, accuracy: correct / n, auc_by_label: byLabel, examples: n };
}
