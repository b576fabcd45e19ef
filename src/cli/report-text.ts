// The run summary as terminal tables: records read, the document funnel per stage with drop
// reasons, and the output files. Printed at the end of `curate run` and by `curate inspect`.
import type { RunReport } from '../../schemas/stats-report.js';
import { formatTable } from './table.js';

function topReasons(counts: Record<string, number>, n = 4): string {
  const e = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const shown = e.slice(0, n).map(([k, v]) => `${k} ${v}`);
  if (e.length > n) shown.push(`+${e.length - n} more`);
  return shown.join(', ');
}

export function formatRunReport(r: RunReport): string {
  const lines: string[] = [];
  const resumed = r.tasks.filter((t) => t.resumed).length;
  lines.push(`pipeline ${r.pipeline}: ${r.tasks.length} task(s)${resumed ? ` (${resumed} done earlier, resumed)` : ''}, ${r.seconds.toFixed(1)} s, ${r.throughput.docs_per_s.toFixed(1)} docs/s, ${r.throughput.mb_per_s.toFixed(2)} MB/s`);
  lines.push('');
  lines.push(
    formatTable(
      ['input', 'records', 'docs', 'skipped', 'bad records'],
      [
        [
          'reader',
          r.reader.records,
          r.reader.docs,
          Object.values(r.reader.skipped).reduce((a, b) => a + b, 0),
          Object.values(r.reader.errors).reduce((a, b) => a + b, 0),
        ],
      ],
    ),
  );
  if (Object.keys(r.reader.skipped).length) lines.push(`  skipped: ${topReasons(r.reader.skipped, 8)}`);
  if (Object.keys(r.reader.errors).length) lines.push(`  bad records: ${topReasons(r.reader.errors, 8)}`);
  lines.push('');
  lines.push(
    formatTable(
      ['stage', 'in', 'kept', 'changed', 'dropped', 'drop reasons'],
      r.stages.map((s) => [s.name, s.in, s.out, s.changed, s.dropped_total, topReasons(s.dropped)]),
    ),
  );
  lines.push('');
  const t = r.totals;
  const added = t.docs_added ? ` + ${t.docs_added} repeats added` : '';
  lines.push(`documents: ${t.docs_read} read${added} = ${t.docs_kept} kept + ${t.docs_dropped} dropped${t.balanced ? '' : '  (DOES NOT ADD UP: see the log)'}; ${t.bad_records} bad records`);
  return lines.join('\n');
}
