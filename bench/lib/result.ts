/** The shape every benchmark returns, rendered as the table on stdout and in RESULTS.md. */
export interface Row {
  bench: string;
  case: string;
  /** median, ms */
  bosunMs?: number;
  /** the peer's median in the same run, ms */
  peerMs?: number;
  runs: string;
  target?: string;
  /** undefined: no target for this row */
  met?: boolean;
  notes?: string;
}

export interface Section {
  name: string;
  rows: Row[];
  /** how it was measured, for RESULTS.md */
  method: string[];
  /** where the time goes: phase timings, API call counts */
  profile: string[];
  /** what the numbers mean: missed targets explained, what would meet them */
  findings?: string[];
  /** rows shown in the section's own table (and spliced into RESULTS.md alone), not the main one */
  ownTable?: boolean;
}

export function ratio(row: Row): number | undefined {
  return row.bosunMs !== undefined && row.peerMs !== undefined && row.peerMs > 0 ? row.bosunMs / row.peerMs : undefined;
}
