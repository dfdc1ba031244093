/** Stacks applied side by side by default: kept free of imports so `--help` loads nothing else. */
export const DEFAULT_STACK_CONCURRENCY = 4;
