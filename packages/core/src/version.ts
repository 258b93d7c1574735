import { createRequire } from 'node:module';
import type { ToolInfo } from './model.js';

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

/** Name and version written into every scan file and report. */
export const TOOL: ToolInfo = { name: 'port25-audit', version: pkg.version };
