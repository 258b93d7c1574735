/**
 * The SMTP fixture for part 4, in a process of its own so that it does not
 * share an event loop with the probes it answers: the `compliant-msa` persona
 * (STARTTLS, a certificate from a fixture CA, AUTH after TLS, relaying refused
 * at MAIL FROM) on argv[2] (a loopback address), its CA written to argv[3].
 * Prints `{ address, port, serverName }` once listening; on SIGTERM it closes
 * and exits 1 if any client ever sent DATA.
 */
import { startPersona } from '@port25-audit/fixtures';

const [address, caFile] = process.argv.slice(2) as [string, string];
const persona = await startPersona('compliant-msa', { address });
await persona.ca!.writeCaFile(caFile);
process.stdout.write(`${JSON.stringify({ address: persona.address, port: persona.port, serverName: persona.serverName })}\n`);
process.once('SIGTERM', () => {
  persona.close().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
});
