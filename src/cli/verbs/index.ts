/**
 * Every verb, in the order `bosun --help` lists them. A verb is one file here that registers
 * its command and flags on the program and loads its action with `await import()` only when
 * it runs; adding a verb is adding its file and one line below. Files here import nothing but
 * commander, ../flags.ts and constants modules without imports of their own.
 */
import type { Command } from 'commander';
import type { Runner } from '../flags.ts';
import { convert } from './convert.ts';
import { down } from './down.ts';
import { apply, resume, rollback } from './lifecycle.ts';
import { policy } from './policy.ts';
import { proxy } from './proxy.ts';
import { reconcile } from './reconcile.ts';
import { releases } from './releases.ts';
import { secret } from './secret.ts';
import { serve } from './serve.ts';
import { status } from './status.ts';
import { validate } from './validate.ts';

export const VERBS: ((program: Command, run: Runner) => void)[] = [
  validate,
  reconcile,
  apply,
  rollback,
  down,
  resume,
  status,
  serve,
  proxy,
  releases,
  secret,
  policy,
  convert,
];
