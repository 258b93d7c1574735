/**
 * The small servers of the lab that are not Debian daemons, each run in its
 * own namespace by serve.ts:
 *
 * - internet: the external MX canary on 25 and the external submission canary
 *   on 587, over IPv4 and IPv6, greeting with their own names (what P3 and P5
 *   compare greetings with);
 * - customers: hosts of the dynamic range that run an SMTP server on 25;
 * - autoconfig: the ISP's Mozilla autoconfig over HTTPS (certificate from the lab CA).
 *
 * The greeters never accept mail (the fixtures' greeter answers MAIL/RCPT/DATA with 5xx).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { startGreeter, type Greeter } from '@port25-audit/fixtures/lab';
import { clientConfigXml } from '@port25-audit/fixtures/p4';
import { ADDRESSES, NAMES } from '../network.js';

/** Something started that can be stopped. */
export interface Running {
  describe(): string[];
  close(): Promise<void>;
}

/** The files the autoconfig server needs (written by the lab at `up`). */
export interface AutoconfigFiles {
  chain: string;
  key: string;
}

async function greeters(list: [address: string, port: number, greeting: string][]): Promise<Running> {
  const started: Greeter[] = [];
  try {
    for (const [address, port, greeting] of list) started.push(await startGreeter(address, port, greeting));
  } catch (error) {
    await Promise.all(started.map((greeter) => greeter.close()));
    throw error;
  }
  return {
    describe: () => started.map((greeter) => `${greeter.address.includes(':') ? `[${greeter.address}]` : greeter.address}:${greeter.port}  220 ${greeter.greeting}`),
    close: async () => {
      await Promise.all(started.map((greeter) => greeter.close()));
    },
  };
}

/** The external canaries, on both families. */
export function startInternetCanaries(): Promise<Running> {
  const { mxCanary, submissionCanary } = ADDRESSES.internet;
  const mx = `${NAMES.mxCanary} ESMTP canary`;
  const submission = `${NAMES.submissionCanary} ESMTP canary`;
  return greeters([
    [mxCanary.ipv4, 25, mx],
    [mxCanary.ipv6, 25, mx],
    [submissionCanary.ipv4, 587, submission],
    [submissionCanary.ipv6, 587, submission],
  ]);
}

/**
 * The customer hosts that listen on 25, greeting as a dynamic host would (its
 * PTR-style name), and the business customer's authorized mail server.
 */
export function startCustomerListeners(): Promise<Running> {
  return greeters([
    ...ADDRESSES.customers.listeners.map((address): [string, number, string] => [address, 25, `host-${address.replace(/[.:]+/g, '-')}.dyn.${NAMES.domain} ESMTP`]),
    [ADDRESSES.customers.authorizedRelay, 25, `${NAMES.businessRelay} ESMTP`],
  ]);
}

/** The ISP's client configuration (RFC 6409 submission on 587 with STARTTLS, RFC 8314 on 465, password authentication). */
function ispClientConfig(): string {
  return clientConfigXml(NAMES.domain, [
    { hostname: NAMES.msa, port: 587, socketType: 'STARTTLS', authentication: ['password-cleartext'] },
    { hostname: NAMES.msa, port: 465, socketType: 'SSL', authentication: ['password-cleartext'] },
  ]);
}

/**
 * The autoconfig site: https://autoconfig.isp.example/mail/config-v1.1.xml and
 * https://isp.example/.well-known/autoconfig/mail/config-v1.1.xml, 404 elsewhere.
 */
export async function startAutoconfigSite(files: AutoconfigFiles): Promise<Running> {
  const xml = ispClientConfig();
  const routes = new Map([
    [`${NAMES.autoconfig} /mail/config-v1.1.xml`, xml],
    [`${NAMES.domain} /.well-known/autoconfig/mail/config-v1.1.xml`, xml],
  ]);
  const sockets = new Set<Socket>();
  const server: Server = createServer({ key: readFileSync(files.key), cert: readFileSync(files.chain) }, (request, response) => {
    const host = (request.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
    const path = new URL(request.url ?? '/', 'https://lab.invalid').pathname;
    const body = routes.get(`${host} ${path}`);
    if (body === undefined) {
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end('not found\n');
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    response.end(body);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(443, ADDRESSES.isp.autoconfig, () => resolve());
  });
  return {
    describe: () => [...routes.keys()].map((route) => `https://${route.replace(' ', '')}`),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
