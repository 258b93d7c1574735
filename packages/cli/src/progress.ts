import cliProgress from 'cli-progress';
import type { Io } from './exit.js';

/** Progress of a running scan as the core reports it. */
export interface ScanProgress {
  done: number;
  total: number;
  open: number;
  rate: number;
}

/** A progress display on stderr; a no-op when stderr is not a TTY or --quiet was given (never on stdout). */
export interface ProgressDisplay {
  update(progress: ScanProgress): void;
  stop(): void;
}

export function createProgress(io: Io, options: { quiet: boolean; label: string }): ProgressDisplay {
  if (options.quiet || !io.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr as NodeJS.WritableStream,
      format: `${options.label} [{bar}] {value}/{total} | open {open} | {rate}/s | eta {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 200,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const payload = { open: p.open, rate: Math.round(p.rate) };
      if (!started) {
        bar.start(p.total, p.done, payload);
        started = true;
      } else {
        bar.setTotal(p.total);
        bar.update(p.done, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
