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
