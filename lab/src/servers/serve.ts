/**
 * Entry of the lab's own servers, started by the lab inside a namespace:
 * `serve.ts internet | customers | autoconfig CHAIN KEY`. Proves where it runs
 * before it opens any socket, prints `ready ROLE` when listening, and closes
 * everything on SIGTERM.
 */
import { assertInLabNamespace } from './namespace-guard.js';
import { startAutoconfigSite, startCustomerListeners, startInternetCanaries, type Running } from './lab-servers.js';

const [role, ...rest] = process.argv.slice(2);
assertInLabNamespace();

let running: Running;
switch (role) {
  case 'internet':
    running = await startInternetCanaries();
    break;
  case 'customers':
    running = await startCustomerListeners();
    break;
  case 'autoconfig':
    running = await startAutoconfigSite({ chain: rest[0] ?? '', key: rest[1] ?? '' });
    break;
  default:
    throw new Error(`serve.ts: unknown role "${role}" (internet, customers, autoconfig)`);
}
for (const line of running.describe()) process.stdout.write(`${line}\n`);
process.stdout.write(`ready ${role}\n`);

const stop = (): void => {
  void running.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
