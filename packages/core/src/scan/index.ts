export { runTasks, StartRate, type ScheduleOptions } from './scheduler.js';
export {
  readScanFile,
  readScanHeader,
  scanFileLines,
  countOutcomes,
  ScanFileWriter,
  type ScanFileLine,
  type ScanReadOptions,
} from './file.js';
export { runScan, type RunScanOptions, type ScanSummary, type ScanProgress } from './run.js';
export { runInWorkers, splitShard, shareOut, type ObservationBatch, type PoolPart, type ProbePoolOptions } from './probe-pool.js';
export type { ProbeWorkerSetup } from './pool-messages.js';
export { DoneTasks, DoneTasksBuilder, type SharedDoneTasks } from './done-tasks.js';
