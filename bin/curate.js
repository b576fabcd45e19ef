#!/usr/bin/env node
// The `curate` command: runs the compiled CLI (npm install builds it into dist/).
import { main } from '../dist/src/cli/main.js';
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
