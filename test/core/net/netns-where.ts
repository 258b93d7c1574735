/** Proves where it runs: prints `inside <namespace>` only when assertInsideNamespace passes. */
import { assertInsideNamespace, NETNS_ENV } from '../../helpers/netns.js';

assertInsideNamespace();
process.stdout.write(`inside ${process.env[NETNS_ENV]}\n`);
