/** What each part of the benchmark hands to the report: rows side by side with their peer. */

export interface Row {
  /** What ran: `port25-audit scan (CLI)`, `nmap -sT`, ... */
  subject: string;
  /** Named figures, in display order, already formatted (`65,536 probes/s`, `142 MB`). */
  figures: Record<string, string>;
  /** This row against its peer, e.g. `1.12 × nmap`; empty for the peer itself. */
  ratio?: string;
}

export interface Section {
  id: string;
  title: string;
  /** The goal as the issue states it. */
  goal: string;
  /** Whether the goal was met in this run, with the figure that decides it. */
  verdict: string;
  rows: Row[];
  /** The exact commands, as typed. */
  commands: string[];
  /** What else a reader needs: setup, what was verified, why a number is what it is. */
  notes: string[];
}

/** A peer tool's figure against ours as `a.bc ×`. */
export function times(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)} ×` : 'n/a';
}
