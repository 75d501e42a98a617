// Free loopback TCP ports for sandbox servers.
import { createServer } from 'node:net';

/** Ask the kernel for a free port on 127.0.0.1 by binding port 0, then release it. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ port: 0, host, exclusive: true }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not allocate a port'))));
    });
  });
}

/** True when a server log says the port was taken between allocation and bind (retry with another). */
export function looksLikePortClash(message: string): boolean {
  return /address already in use|EADDRINUSE|could not bind|could not create any TCP\/IP sockets/i.test(message);
}
