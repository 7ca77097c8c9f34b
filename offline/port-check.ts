import { createServer, type Server } from 'node:net';

/** Resolves when the port can be bound on the host; rejects with a message saying what to do. */
export function assertPortFree(
  port: number,
  host: string,
  what: string,
  setting?: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'EADDRINUSE'
          ? `port ${port} on ${host} (${what}) is already taken by another process: stop it (\`lsof -i :${port}\` or \`ss -ltnp | grep :${port}\` shows which), or ${setting ? `run on another port by setting ${setting}` : 'pick another port'}`
          : `cannot listen on ${host}:${port} for ${what}: ${error.message}`;
      reject(new Error(reason));
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** Listens on host:port (0 picks a free port) and answers the server's http:// endpoint. */
export async function listenOn(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return `http://${host}:${bound}`;
}
