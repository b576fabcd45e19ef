#!/usr/bin/env -S node --max-old-space-size=1024
// The `curate` command: runs the compiled CLI (npm install builds it into dist/).
// The old-space cap makes V8 collect large garbage (decoded pages) sooner: on a 200 MB WARC the
// cc-shard pipeline peaks at 314-346 MB RSS instead of ~630 MB, at the same speed (docs/dependencies.md). Run
// `node --max-old-space-size=N bin/curate.js ...` to give a run more heap.
import { main } from '../dist/src/cli/main.js';
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
