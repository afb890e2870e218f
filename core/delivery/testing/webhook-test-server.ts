import http from 'node:http';
import { verifyWebhook } from '../webhook-signature';

export interface ReceivedWebhook {
  delivery: string;
  body: string;
  /** null when the signature verified; else the reason. */
  signatureError: string | null;
  status: number;
}

/**
 * A real webhook receiver (node:http) that verifies each request's HMAC as a Sargs webhook receiver should
 * (raw body, timestamp tolerance) and answers the status `respond` gives for the n-th request (default 200).
 */
export async function startWebhookTestServer(secret: string, respond: (n: number) => number = () => 200) {
  const received: ReceivedWebhook[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const signatureError = verifyWebhook(
        secret,
        { signature: req.headers['x-sargs-signature'] as string | undefined, timestamp: req.headers['x-sargs-timestamp'] as string | undefined },
        body,
      );
      const status = signatureError ? 401 : respond(received.length + 1);
      received.push({ delivery: String(req.headers['x-sargs-delivery'] ?? ''), body, signatureError, status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/sargs`,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
