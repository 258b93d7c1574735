/**
 * Runs inside the server namespace of a netns test: greets on port argv[2]
 * over IPv4 and IPv6, prints `listening` when ready. Verifies its namespace
 * before it opens any socket.
 */
import { createServer } from 'node:net';
import { assertInsideNamespace } from '../../helpers/netns.js';

assertInsideNamespace();
const port = Number(process.argv[2]);
const server = createServer((socket) => {
  socket.on('error', () => {});
  socket.end('220 greeter.netns.test.example ESMTP\r\n');
});
server.listen({ host: '::', port, ipv6Only: false }, () => process.stdout.write('listening\n'));
