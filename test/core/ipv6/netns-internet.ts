/**
 * Runs inside the "internet" namespace of an IPv6 netns test: the canaries'
 * DNS zone and the SMTP greeters named in argv[2] (JSON), on the addresses of
 * that namespace. Proves where it runs before it opens any socket, then prints
 * `listening {"dns":"host:port"}` and serves until the harness kills it.
 */
import { startGreeter } from '@port25-audit/fixtures/lab';
import { startZoneServer, type Zone } from '@port25-audit/fixtures/p4';
import { assertInsideNamespace } from '../../helpers/netns.js';

/** What the namespace serves. */
export interface InternetServices {
  zone: Zone;
  /** Address the DNS server listens on (UDP and TCP, a free port). */
  dnsHost: string;
  greeters: { address: string; port: number; greeting: string }[];
}

assertInsideNamespace();
const services = JSON.parse(process.argv[2] ?? '{}') as InternetServices;
const zone = await startZoneServer(services.zone, { host: services.dnsHost });
for (const { address, port, greeting } of services.greeters) await startGreeter(address, port, greeting);
process.stdout.write(`listening ${JSON.stringify({ dns: zone.server })}\n`);
