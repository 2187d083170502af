/**
 * The Node floor: the smallest reasonable reverse proxy on node:http + undici (keep-alive pool,
 * streamed body, no routing, no header rewriting). Portico is measured against it.
 * Usage: node --import tsx bench/node-floor.ts <backend-origin>   (prints the port when ready)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const pool = new Pool(process.argv[2]!, { pipelining: 1 });
const server = createServer((req, res) => {
  pool.request({ path: req.url!, method: req.method as 'GET', headers: req.headers, body: req.method === 'GET' ? null : req }).then(
    (up) => {
      res.writeHead(up.statusCode, up.headers as Record<string, string>);
      up.body.pipe(res);
    },
    () => {
      res.statusCode = 502;
      res.end();
    },
  );
});
server.listen(0, '127.0.0.1', () => console.log(`ready ${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => process.exit(0));
