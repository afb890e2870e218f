import { SMTPServer } from 'smtp-server';

/** A message the test SMTP server accepted (answered 250), with its headers and parts parsed. */
export interface ReceivedMail {
  raw: string;
  headers: Record<string, string>;
  text: string;
  attachments: Array<{ fileName: string; contentType: string; content: Buffer }>;
  envelope: { from: string; to: string[] };
}

export interface SmtpTestServer {
  port: number;
  /** Messages answered with 250, in order. */
  accepted: ReceivedMail[];
  /** DATA phases begun (accepted or not). */
  dataSessions: number;
  /** Resolves when the n-th DATA phase has been read in full (stalled ones included). */
  dataReceived(n: number): Promise<void>;
  close(): Promise<void>;
}

export interface SmtpTestServerOptions {
  /** Listen on this port (a test that brings SMTP "back up" reuses the port it had down). */
  port?: number;
  /**
   * What to do with the n-th DATA phase (1-based): accept (250, the default), stall (read it, never answer: the
   * client waits as on a hung relay), or refuse with an SMTP reply code (e.g. 451 temporary, 554 permanent).
   */
  onDataPhase?: (n: number) => 'accept' | 'stall' | { code: number; message: string };
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return headers;
}

function decode(body: string, encoding: string | undefined): Buffer {
  if (encoding?.toLowerCase() === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64');
  if (encoding?.toLowerCase() === 'quoted-printable')
    return Buffer.from(
      body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    );
  return Buffer.from(body, 'utf8');
}

/** SMTP lines end in CRLF (RFC 5321 §2.3.8): back to the \n the sender wrote. */
const crlf = (s: string) => s.replace(/\r\n/g, '\n').trimEnd();

/** A small MIME reader for what nodemailer writes: a text part, or multipart/mixed with a text part and attachments. */
export function parseMail(raw: string, envelope: ReceivedMail['envelope']): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const headers = parseHeaders(raw.slice(0, split));
  const body = raw.slice(split + 4);
  const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] ?? '')?.[1];
  if (!boundary) return { raw, headers, text: crlf(decode(body, headers['content-transfer-encoding']).toString('utf8')), attachments: [], envelope };
  let text = '';
  const attachments: ReceivedMail['attachments'] = [];
  for (const part of body.split(`--${boundary}`).slice(1)) {
    if (part.startsWith('--')) break;
    const p = part.replace(/^\r\n/, '');
    const cut = p.indexOf('\r\n\r\n');
    const h = parseHeaders(p.slice(0, cut));
    const content = decode(p.slice(cut + 4).replace(/\r\n$/, ''), h['content-transfer-encoding']);
    const fileName = /filename="?([^";]+)"?/i.exec(h['content-disposition'] ?? '')?.[1];
    if (fileName) attachments.push({ fileName, contentType: (h['content-type'] ?? '').split(';')[0]!.trim(), content });
    else text = crlf(content.toString('utf8'));
  }
  return { raw, headers, text, attachments, envelope };
}

/**
 * A real SMTP server (the smtp-server package) in the test process, plain text on 127.0.0.1, no authentication.
 *
 * @example const smtp = await startSmtpTestServer(); … SARGS_SMTP_URL = `smtp://127.0.0.1:${smtp.port}`
 */
export async function startSmtpTestServer(opts: SmtpTestServerOptions = {}): Promise<SmtpTestServer> {
  const accepted: ReceivedMail[] = [];
  let dataSessions = 0;
  let read = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // No reverse DNS of 127.0.0.1 before the greeting (a slow resolver would time the client out).
    disableReverseLookup: true,
    onData(stream, session, callback) {
      const n = ++dataSessions;
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        read++;
        for (const w of waiters.filter((x) => x.n <= read)) w.resolve();
        const action = opts.onDataPhase?.(n) ?? 'accept';
        if (action === 'stall') return; // never answers: the client hangs until it or the test gives up
        if (action !== 'accept') {
          const err = new Error(action.message) as Error & { responseCode: number };
          err.responseCode = action.code;
          callback(err);
          return;
        }
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
        };
        accepted.push(parseMail(Buffer.concat(chunks).toString('utf8'), envelope));
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    accepted,
    get dataSessions() {
      return dataSessions;
    },
    dataReceived: (n) => (read >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    close: () =>
      new Promise<void>((resolve) => {
        // Stalled sessions would keep close() waiting: drop them.
        for (const c of (server as unknown as { connections?: Set<{ close?: () => void }> }).connections ?? []) c.close?.();
        server.close(() => resolve());
      }),
  };
}

/** A port that was free a moment ago and now has nothing listening (SMTP "down"; start the server on it later). */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
