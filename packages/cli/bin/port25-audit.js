#!/usr/bin/env node
// Signals are caught before the module graph loads, so an early Ctrl-C still ends in exit 130
// and a running scan stops cleanly with its file flushed. A second Ctrl-C exits at once.
const interrupt = new AbortController();
const onSignal = () => {
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

// The CLI runs from the build in dist/ (made by `npm ci` through the root `prepare` script).
const { main, processIo } = await import('../dist/index.js');
process.exitCode = await main(process.argv.slice(2), processIo(), interrupt.signal);
