import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { AppError } from '../../core/errors';
import type { IntakeContext, IntakeSink, ItemOutcome, RawRecord } from '../../core/types';
import { startSyslogServers, type SyslogServers } from './syslog-server';

/**
 * The syslog listeners against the real util-linux `logger` client (RFC 5424, RFC 3164, RFC 6587 framings).
 * The sink is a recording implementation of our own IntakeSink port.
 */
class RecordingSink implements IntakeSink {
  batches: Array<{ records: RawRecord[]; ctx: IntakeContext }> = [];
  /** How many next calls refuse with 503 (spool full). */
  refuse = 0;
  calls = 0;
  async accept(records: RawRecord[], ctx: IntakeContext): Promise<ItemOutcome[]> {
    this.calls++;
    if (this.refuse > 0) {
      this.refuse--;
      throw new AppError(503, 'spool_full', 'the disk spool is full');
    }
    this.batches.push({ records, ctx });
    return records.map((_, i) => ({ status: 'created', id: `e${this.calls}-${i}` }));
  }
  get raws(): string[] {
    return this.batches.flatMap((b) => b.records.map((r) => r.raw));
  }
}

const hasLogger = spawnSync('logger', ['--help']).status === 0;
const describeLogger = hasLogger ? describe : describe.skip;

function runLogger(args: string[], stdin?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // With a message argument logger does not read stdin: give it none, or it may exit before we write.
    const p = spawn('logger', args, { stdio: [stdin === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'] });
    let err = '';
    p.stderr?.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`logger exited ${code}: ${err}`))));
    p.stdin?.end(stdin);
  });
}

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describeLogger('syslog listeners with util-linux logger', () => {
  let sink: RecordingSink;
  let servers: SyslogServers;
  // Deterministic RFC 5424 form: no timestamp, no hostname, no timeQuality SD (logger --rfc5424=<snip>).
  const fixed = ['--rfc5424=notime,nohost,notq', '-t', 'sargs-test', '--msgid', 'T1'];

  beforeEach(async () => {
    sink = new RecordingSink();
    servers = await startSyslogServers({ port: 0, host: '127.0.0.1', tenant: 'riga', sink, retryMs: 50 });
  });
  afterEach(() => servers.close());

  it('takes an RFC 5424 message over UDP with its exact content and the sender in ctx', async () => {
    await runLogger([...fixed, '-n', '127.0.0.1', '-P', String(servers.udpPort), '-d', 'hello over udp']);
    await waitFor(() => sink.raws.length === 1);
    expect(sink.raws).toEqual(['<13>1 - - sargs-test - T1 - hello over udp']);
    expect(sink.batches[0].ctx).toEqual({
      tenant: 'riga',
      source: 'syslog:127.0.0.1',
      parser: 'syslog',
      transport: 'syslog-udp',
      remoteAddress: '127.0.0.1',
    });
  });

  it('takes the default RFC 5424 form (timestamp, host, structured data) over UDP unchanged', async () => {
    await runLogger(['--rfc5424', '-n', '127.0.0.1', '-P', String(servers.udpPort), '-d', '-t', 'app', 'x y']);
    await waitFor(() => sink.raws.length === 1);
    expect(sink.raws[0]).toMatch(/^<13>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+[+-]\d\d:\d\d \S+ app - - \[timeQuality [^\]]*\] x y$/);
  });

  it('takes newline-framed messages over TCP, several per connection, in order', async () => {
    const lines = ['first line', 'second: Rīga ūdens', 'third [with] "quotes"'];
    await runLogger([...fixed, '-n', '127.0.0.1', '-P', String(servers.tcpPort), '-T'], lines.join('\n') + '\n');
    await waitFor(() => sink.raws.length === 3);
    expect(sink.raws).toEqual(lines.map((l) => `<13>1 - - sargs-test - T1 - ${l}`));
    expect(sink.batches[0].ctx.transport).toBe('syslog-tcp');
    expect(sink.batches[0].ctx.source).toBe('syslog:127.0.0.1');
  });

  it('takes octet-counted messages over TCP (logger --octet-count) with structured data', async () => {
    const args = [...fixed, '--sd-id', 'vps@32473', '--sd-param', 'tenant="ogre"', '-p', 'auth.warning'];
    await runLogger([...args, '-n', '127.0.0.1', '-P', String(servers.tcpPort), '-T', '--octet-count'], 'one\ntwo\n');
    await waitFor(() => sink.raws.length === 2);
    expect(sink.raws).toEqual([
      '<36>1 - - sargs-test - T1 [vps@32473 tenant="ogre"] one',
      '<36>1 - - sargs-test - T1 [vps@32473 tenant="ogre"] two',
    ]);
  });

  it('takes RFC 3164 messages over TCP and UDP', async () => {
    const args = ['--rfc3164', '-t', 'sshd', '-p', 'local4.notice', '-n', '127.0.0.1'];
    await runLogger([...args, '-P', String(servers.tcpPort), '-T', 'bsd over tcp']);
    await runLogger([...args, '-P', String(servers.udpPort), '-d', 'bsd over udp']);
    await waitFor(() => sink.raws.length === 2);
    const bsd = (m: string) => new RegExp(`^<165>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\S+ sshd: ${m}$`);
    expect(sink.raws.find((r) => r.endsWith('tcp'))).toMatch(bsd('bsd over tcp'));
    expect(sink.raws.find((r) => r.endsWith('udp'))).toMatch(bsd('bsd over udp'));
  });

  it('batches a burst over one TCP connection into batches of at most 500, in order', async () => {
    const lines = Array.from({ length: 1234 }, (_, i) => `burst ${i}`);
    await runLogger([...fixed, '-n', '127.0.0.1', '-P', String(servers.tcpPort), '-T'], lines.join('\n') + '\n');
    await waitFor(() => sink.raws.length === lines.length);
    expect(sink.raws).toEqual(lines.map((l) => `<13>1 - - sargs-test - T1 - ${l}`));
    expect(Math.max(...sink.batches.map((b) => b.records.length))).toBeLessThanOrEqual(500);
    expect(sink.batches.length).toBeLessThan(lines.length); // batched, not one call per message
  });

  it('TCP: a batch refused with 503 is offered again — nothing lost, nothing doubled', async () => {
    sink.refuse = 2;
    const lines = ['a', 'b', 'c'];
    await runLogger([...fixed, '-n', '127.0.0.1', '-P', String(servers.tcpPort), '-T'], lines.join('\n') + '\n');
    await waitFor(() => sink.raws.length === 3);
    await new Promise((r) => setTimeout(r, 100));
    expect(sink.raws).toEqual(lines.map((l) => `<13>1 - - sargs-test - T1 - ${l}`));
    expect(servers.stats()).toMatchObject({ tcpRetries: 2, delivered: 3, udpDropped: 0 });
  });

  it('UDP: a batch refused with 503 is counted as dropped', async () => {
    sink.refuse = 1;
    await runLogger([...fixed, '-n', '127.0.0.1', '-P', String(servers.udpPort), '-d', 'lost']);
    await waitFor(() => servers.stats().udpDropped === 1);
    await runLogger([...fixed, '-n', '127.0.0.1', '-P', String(servers.udpPort), '-d', 'kept']);
    await waitFor(() => sink.raws.length === 1);
    expect(sink.raws).toEqual(['<13>1 - - sargs-test - T1 - kept']);
  });

  it('cuts a message over 64 KiB and still delivers it, counted as truncated', async () => {
    const big = `<13>1 - - big - - - ${'z'.repeat(70 * 1024)}`;
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(servers.tcpPort, '127.0.0.1', () => s.end(`${Buffer.byteLength(big)} ${big}5 <13>x`));
      s.on('close', () => resolve());
      s.on('error', reject);
    });
    await waitFor(() => sink.raws.length === 2);
    expect(sink.raws[0]).toBe(big.slice(0, 64 * 1024));
    expect(sink.raws[1]).toBe('<13>x');
    expect(servers.stats().truncated).toBe(1);
  });
});
