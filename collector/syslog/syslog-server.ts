import dgram from 'node:dgram';
import { retryDelay } from '../retry-delay';
import net from 'node:net';
import pino, { type Logger } from 'pino';
import { AppError } from '../../core/errors';
import type { IntakeContext, IntakeSink, RawRecord } from '../../core/types';
import { RecordBatcher } from './record-batcher';
import { MAX_SYSLOG_MESSAGE_BYTES, SyslogFramer, trimTrailer } from './syslog-framer';

/** Options of startSyslogServers. */
export interface SyslogServerOptions {
  /** Port of both the UDP and the TCP listener; 0 picks an ephemeral port (tests). */
  port: number;
  host: string;
  /** Tenant the senders are scoped to (`*` lets the syslog parser take it from SD params). */
  tenant: string;
  sink: IntakeSink;
  logger?: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  /** Records per sink.accept call (default 500). */
  maxBatch?: number;
  /** Longest a record waits for its batch (default 50 ms). */
  maxDelayMs?: number;
  /** Wait before a TCP batch refused by the sink is offered again (default 1000 ms). */
  retryMs?: number;
  /** Longest message kept (default 64 KiB). */
  maxMessageBytes?: number;
}

/** Counters of the syslog listeners, for metrics. */
export interface SyslogStats {
  received: number;
  delivered: number;
  /** Messages cut to maxMessageBytes (still delivered). */
  truncated: number;
  /** UDP messages lost because the sink refused them (spool full) or the backlog was too long. */
  udpDropped: number;
  /** TCP batches offered again after the sink refused them. */
  tcpRetries: number;
  /** TCP messages still undelivered when the listeners were closed. */
  tcpDroppedAtClose: number;
  tcpConnections: number;
}

/** Running listeners. */
export interface SyslogServers {
  udpPort: number;
  tcpPort: number;
  stats(): SyslogStats;
  /** Stops listening, hands over what is pending and waits for it (gives up on refused batches). */
  close(): Promise<void>;
}

/** UDP cannot push back: beyond this many waiting records per sender new ones are dropped and counted. */
const UDP_BACKLOG_BATCHES = 10;

/**
 * Starts the syslog listeners: UDP (RFC 5426, one message per datagram) and TCP (RFC 6587, octet counting or
 * newline framing detected per message), on the same port number. Records go to `sink` in batches with
 * ctx `{ tenant, source: 'syslog:<ip>', parser: 'syslog', transport: 'syslog-udp' | 'syslog-tcp' }`.
 *
 * Backpressure when the sink refuses a batch (AppError 503, spool full): a TCP connection stops reading and the
 * batch is offered again after `retryMs`; UDP counts the batch as dropped (`stats().udpDropped`).
 *
 * @example
 * const syslog = await startSyslogServers({ port: config.syslogPort, host: config.host,
 *   tenant: config.syslogTenant, sink: intake, logger });
 */
export async function startSyslogServers(options: SyslogServerOptions): Promise<SyslogServers> {
  const log = options.logger ?? pino({ level: 'silent' });
  const maxBatch = options.maxBatch ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 50;
  const retryMs = options.retryMs ?? 1000;
  const maxBytes = options.maxMessageBytes ?? MAX_SYSLOG_MESSAGE_BYTES;
  const stats: SyslogStats = {
    received: 0,
    delivered: 0,
    truncated: 0,
    udpDropped: 0,
    tcpRetries: 0,
    tcpDroppedAtClose: 0,
    tcpConnections: 0,
  };
  let closing = false;
  const waits = new Set<() => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        waits.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      waits.add(done);
    });

  const context = (transport: 'syslog-udp' | 'syslog-tcp', ip: string): IntakeContext => ({
    tenant: options.tenant,
    source: `syslog:${ip}`,
    parser: 'syslog',
    transport,
    remoteAddress: ip,
  });

  const noteTruncated = (ip: string, transport: string) => {
    stats.truncated++;
    log.warn({ remoteAddress: ip, transport, maxBytes }, 'syslog message longer than the limit was truncated');
  };

  // --- TCP (RFC 6587) ---
  const batchers = new Set<RecordBatcher>();
  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((socket) => {
    stats.tcpConnections++;
    sockets.add(socket);
    const ip = normaliseIp(socket.remoteAddress);
    const ctx = context('syslog-tcp', ip);
    const framer = new SyslogFramer(maxBytes);
    let ended = false;
    const batcher: RecordBatcher = new RecordBatcher({
      maxRecords: maxBatch,
      maxDelayMs,
      deliver: async (batch) => {
        for (;;) {
          try {
            await options.sink.accept(batch, ctx);
            stats.delivered += batch.length;
            if (!ended && socket.isPaused() && batcher.backlog < maxBatch) socket.resume();
            return;
          } catch (err) {
            if (closing) {
              stats.tcpDroppedAtClose += batch.length;
              log.error({ err, remoteAddress: ip, count: batch.length }, 'syslog batch undelivered at shutdown');
              return;
            }
            // Spool full (AppError 503) or sink trouble: stop reading so TCP flow control reaches the sender.
            socket.pause();
            stats.tcpRetries++;
            const wait = retryDelay(err, retryMs);
            log.warn({ err, remoteAddress: ip, count: batch.length, retryInMs: wait }, 'syslog batch refused, retrying');
            await sleep(wait);
          }
        }
      },
    });
    batchers.add(batcher);
    const take = (frames: ReturnType<SyslogFramer['push']>) => {
      for (const f of frames) {
        stats.received++;
        if (f.truncated) noteTruncated(ip, 'syslog-tcp');
        batcher.add({ raw: f.message });
      }
      if (batcher.backlog >= maxBatch && !batcher.idle) socket.pause();
    };
    socket.on('data', (chunk: Buffer) => take(framer.push(chunk)));
    socket.on('error', (err) => log.debug({ err, remoteAddress: ip }, 'syslog tcp connection error'));
    socket.on('close', () => {
      ended = true;
      sockets.delete(socket);
      take(framer.end());
      void batcher.flush().then(() => batchers.delete(batcher));
    });
  });

  // --- UDP (RFC 5426) ---
  const udpBatchers = new Map<string, RecordBatcher>();
  const host = options.host;
  const onDatagram = (msg: Buffer, rinfo: dgram.RemoteInfo) => {
    const ip = normaliseIp(rinfo.address);
    stats.received++;
    let bytes = trimTrailer(msg);
    if (bytes.length === 0) return;
    if (bytes.length > maxBytes) {
      bytes = bytes.subarray(0, maxBytes);
      noteTruncated(ip, 'syslog-udp');
    }
    let batcher = udpBatchers.get(ip);
    if (!batcher) {
      const ctx = context('syslog-udp', ip);
      const b: RecordBatcher = new RecordBatcher({
        maxRecords: maxBatch,
        maxDelayMs,
        deliver: async (batch) => {
          try {
            await options.sink.accept(batch, ctx);
            stats.delivered += batch.length;
          } catch (err) {
            // A datagram cannot be pushed back to its sender: count the loss (spool full or sink trouble).
            stats.udpDropped += batch.length;
            log.warn({ err, remoteAddress: ip, count: batch.length }, 'syslog udp batch dropped');
          }
          // Forget idle senders, so the map does not grow with every address ever seen.
          setImmediate(() => {
            if (b.idle && !closing && udpBatchers.get(ip) === b) udpBatchers.delete(ip);
          });
        },
      });
      batcher = b;
      udpBatchers.set(ip, b);
    }
    if (batcher.backlog >= maxBatch * UDP_BACKLOG_BATCHES) {
      stats.udpDropped++;
      return;
    }
    batcher.add({ raw: bytes.toString('utf8') });
  };
  const openUdp = async (port: number) => {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    socket.on('message', onDatagram);
    try {
      return { socket, port: await bindUdp(socket, port, host) };
    } catch (err) {
      socket.close();
      throw err;
    }
  };

  const tcpPort = await listenTcp(tcp, options.port, host);
  let udp: dgram.Socket;
  let udpPort: number;
  try {
    ({ socket: udp, port: udpPort } = await openUdp(options.port === 0 ? tcpPort : options.port).catch((err) => {
      if (options.port !== 0) throw err;
      // The ephemeral TCP port number is taken for UDP: any free UDP port will do in tests.
      return openUdp(0);
    }));
  } catch (err) {
    tcp.close();
    throw err;
  }
  udp.on('error', (err) => log.error({ err }, 'syslog udp socket error'));
  log.info({ host, udpPort, tcpPort }, 'syslog listeners started');

  return {
    udpPort,
    tcpPort,
    stats: () => ({ ...stats }),
    async close() {
      const stopped = new Promise<void>((resolve) => tcp.close(() => resolve()));
      udp.close();
      closing = true;
      for (const wake of [...waits]) wake();
      for (const s of sockets) s.destroy();
      // Let the destroyed connections run their close handlers (which hand over their last frames).
      await new Promise((resolve) => setImmediate(resolve));
      await Promise.all([...udpBatchers.values(), ...batchers].map((b) => b.flush()));
      await stopped;
    },
  };
}

/** `::ffff:10.0.0.1` → `10.0.0.1`, so a sender has one name whichever socket family received it. */
function normaliseIp(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

function listenTcp(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

function bindUdp(socket: dgram.Socket, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    socket.once('error', onError);
    socket.bind(port, host, () => {
      socket.off('error', onError);
      resolve(socket.address().port);
    });
  });
}
