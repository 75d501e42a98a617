#!/usr/bin/env node
// The installed entry point: everything lives in the bundled build (npm run build).
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2));
