/** What one corpus case did, as the worker reports it (plain data: it crosses threads). */
export interface Outcome {
  id: string;
  /** time spent inside loadDesiredState (building the case's files is not counted) */
  ms: number;
  /** timed-out: the runner terminated the worker after its hard limit */
  verdict: 'manifest-error' | 'accepted' | 'crashed' | 'timed-out';
  /** for crashes: `Name: message` and the top of the stack */
  error?: string;
  stack?: string;
  issueCount: number;
  /** issues missing a file of the case, a line or col >= 1, or a message */
  badIssues: unknown[];
  /** the first issues, formatted as a user reads them */
  sample: string[];
  /** prototype properties that appeared while the case ran */
  polluted: string[];
}
