#!/usr/bin/env node
// bosun ships TypeScript sources and runs them through tsx, so `npx bosun` works right after `npm ci`.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
