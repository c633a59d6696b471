#!/usr/bin/env node
// The `gatehouse` command: runs the compiled CLI (built by `npm ci` through the prepare script).
import '../dist/cli/run.js';
