import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { badRequest } from '../errors';
import type { CloseOptions, JobQueue } from '../jobs/job-queue';
import { errorMessage } from '../jobs/job-queue';
import type { SqlClient } from '../sql/sql-client';
import type { AlertStore } from '../stores/alert-store';
import { raiseDeadDeliveryAlert } from './dead-delivery-alert';
import { retryDelayMs, type DeliveryPolicy } from './delivery-policy';
import { createOutboxStore, toRecord, type OutboxRow } from './outbox.store';
import type { DeliveryRecord, Outbox, OutgoingMessage } from './outbox.types';
import { DeliveryError, type StoredMessage, type Transports } from './transports';

export interface OutboxOptions {
  /** The state database (migrated with core/migrations/0090-delivery-outbox.sql). */
  sql: SqlClient;
  /** BullMQ on Redis, or the embedded SQL runner: carries one job per send attempt. */
  jobs: JobQueue;
  policy: DeliveryPolicy;
  /** Senders per channel; a message for a channel without one is dead (with an alert) when its turn comes. */
  transports: Transports;
  /** Where the dead-letter alert goes. */
  alerts?: Pick<AlertStore, 'record'>;
  logger?: Logger;
  /** Queue name (default `delivery`); tests use a unique one. */
  queue?: string;
}

/** The outbox with the worker side: only processes with the worker role start it. */
export interface DeliveryOutbox extends Outbox {
  /**
   * Runs the delivery jobs of this process and the sweeper (at once, then every sweepIntervalMs). Several workers
   * in several processes may run at once: each message is claimed by one of them at a time.
   */
  startWorker(opts?: { concurrency?: number }): DeliveryWorker;
  /** Hands every due message (and every message whose sender died) to the job queue; returns how many. */
  sweep(): Promise<number>;
}

export interface DeliveryWorker {
  close(opts?: CloseOptions): Promise<void>;
}

const MAX_TO = 50;
const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;
const SWEEP_BATCH = 1000;
const SCHEDULE_TIMEOUT_MS = 5000;

/** Refuses a message that cannot be sent, naming the field (AppError 400), before anything is stored. */
function checkMessage(msg: OutgoingMessage): void {
  if (typeof msg.key !== 'string' || msg.key.length < 1 || msg.key.length > 300) throw badRequest('invalid_message', 'key must be 1-300 characters', 'key');
  if (msg.channel !== 'email' && msg.channel !== 'webhook') throw badRequest('invalid_message', "channel must be 'email' or 'webhook'", 'channel');
  if (!Array.isArray(msg.to) || msg.to.length < 1 || msg.to.length > MAX_TO) throw badRequest('invalid_message', `to must name 1-${MAX_TO} recipients`, 'to');
  for (const to of msg.to) {
    if (msg.channel === 'email' && !(typeof to === 'string' && to.length <= 320 && EMAIL.test(to)))
      throw badRequest('invalid_message', `to: not an e-mail address: ${String(to).slice(0, 100)}`, 'to');
    if (msg.channel === 'webhook') {
      let u: URL | undefined;
      try {
        u = new URL(to);
      } catch {
        /* refused below */
      }
      if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:') || u.username || u.password)
        throw badRequest('invalid_message', 'to: a webhook target must be an http(s) URL without credentials', 'to');
    }
  }
  // A line break in the subject would let it add headers to the e-mail (header injection).
  if (typeof msg.subject !== 'string' || msg.subject.length < 1 || msg.subject.length > 900 || /[\r\n]/.test(msg.subject))
    throw badRequest('invalid_message', 'subject must be 1-900 characters on one line', 'subject');
  if (!msg.tenant || typeof msg.tenant !== 'string') throw badRequest('invalid_message', 'tenant is required', 'tenant');
  if (msg.channel === 'email' && typeof msg.text !== 'string') throw badRequest('invalid_message', 'text is required for e-mail', 'text');
  if (msg.channel === 'webhook' && msg.attachments?.length) throw badRequest('invalid_message', 'attachments are for e-mail only', 'attachments');
  if (msg.subjectRef && !(msg.subjectRef.kind && msg.subjectRef.id)) throw badRequest('invalid_message', 'subjectRef needs kind and id', 'subjectRef');
}

/** The webhook body: the caller's JSON as given, else subject and text. Serialised once, sent byte for byte on every try. */
function bodyOf(msg: OutgoingMessage): string {
  if (msg.channel === 'email') return msg.text ?? '';
  return JSON.stringify(msg.json !== undefined ? msg.json : { subject: msg.subject, text: msg.text ?? '' });
}

const sha256 = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * The durable outbox (interface in core/delivery/outbox.types.ts). enqueue() stores the message in SQL first —
 * from then on it cannot be lost — and adds a job for its first send. A job only names the message: the row is
 * the truth. Each attempt claims the row under a lease (pending/retrying → sending), sends, and writes the outcome:
 * delivered, retrying with exponential backoff and jitter (a new delayed job), or dead (an alert). Jobs lost with
 * Redis's data or a dead process are made good by the sweeper, which re-reads the rows.
 *
 * Exactly once as far as the protocols allow: a message is sent again only when no send of it was acknowledged
 * and recorded. The remaining window — the receiver acknowledged (SMTP 250, HTTP 2xx) and the process died before
 * the row said 'delivered' — sends it twice; the Message-ID / X-Sargs-Delivery id lets the receiver drop the copy.
 *
 * @example
 *   const outbox = createOutbox({ sql, jobs, policy: loadDeliveryPolicy(), transports: { email: smtp }, alerts });
 *   await outbox.enqueue({ key: `notice:${id}`, channel: 'email', to: ['cert@cert.lv'], subject, text, tenant });
 *   outbox.startWorker(); // in processes with the worker role
 */
export function createOutbox(opts: OutboxOptions): DeliveryOutbox {
  const { jobs, policy, transports, logger } = opts;
  const store = createOutboxStore(opts.sql);
  const queue = opts.queue ?? 'delivery';
  const listeners: Array<(rec: DeliveryRecord) => void | Promise<void>> = [];

  const changed = async (row: OutboxRow | undefined) => {
    if (!row) return;
    const rec = toRecord(row);
    for (const l of listeners) {
      try {
        await l(rec);
      } catch (err) {
        logger?.error({ err: errorMessage(err), delivery: rec.id, state: rec.state }, 'delivery listener failed');
      }
    }
  };

  /**
   * Adds the job of the next send. A failure is only logged: the row is stored and the sweeper will find it. Bounded
   * in time: with Redis unreachable BullMQ would wait for it indefinitely, and enqueue() must not hang on the queue.
   */
  const schedule = async (id: string, attempts: number, delayMs: number, jobId = `${id}.${attempts}`) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const add = jobs.add(queue, 'deliver', { id }, { jobId, delayMs: Math.max(0, Math.round(delayMs)) });
      add.catch(() => undefined); // a late failure after the timeout is covered by the sweeper
      await Promise.race([
        add,
        new Promise((_r, reject) => {
          timer = setTimeout(() => reject(new Error(`job queue did not answer in ${SCHEDULE_TIMEOUT_MS} ms`)), SCHEDULE_TIMEOUT_MS);
        }),
      ]);
    } catch (err) {
      logger?.warn({ err: errorMessage(err), delivery: id }, 'delivery job not queued; the sweeper will hand it over');
    } finally {
      clearTimeout(timer);
    }
  };

  const dead = async (row: OutboxRow | undefined) => {
    if (!row) return;
    const rec = toRecord(row);
    logger?.error({ delivery: rec.id, key: rec.key, tenant: rec.tenant, attempts: rec.attempts, error: rec.lastError }, 'delivery dead');
    if (opts.alerts)
      await raiseDeadDeliveryAlert(opts.alerts, rec).catch((err) =>
        logger?.error({ err: errorMessage(err), delivery: rec.id }, 'dead-delivery alert not raised'),
      );
    await changed(row);
  };

  /** One send attempt of message `id`; does nothing when the message is not due (sent, dead, someone else's). */
  const attempt = async (id: string) => {
    const owner = randomUUID();
    const row = await store.claim(id, owner, policy.leaseMs);
    if (!row) return;
    if (row.attempts > row.max_attempts) {
      // A worker died during the last allowed attempt: whether the receiver got it is unknown; a person decides.
      await dead(await store.failed(id, owner, 'dead', 'the worker stopped during the last attempt (lease ended); delivery uncertain', 0));
      return;
    }
    await changed(row);
    const transport = transports[row.channel];
    try {
      if (!transport) throw new DeliveryError(`no ${row.channel} transport configured (see README "Delivery")`, true);
      const msg: StoredMessage = {
        id: row.id,
        key: row.key,
        channel: row.channel,
        to: row.recipients,
        subject: row.subject,
        body: row.body,
        messageId: row.message_id,
        tenant: row.tenant,
        attachments: row.channel === 'email' ? await store.attachments(id) : [],
      };
      const { response } = await transport.send(msg);
      await changed(await store.delivered(id, response.slice(0, 1000)));
    } catch (err) {
      const permanent = err instanceof DeliveryError && err.permanent;
      const error = errorMessage(err);
      if (permanent || row.attempts >= row.max_attempts) {
        await dead(await store.failed(id, owner, 'dead', error, 0));
        return;
      }
      const delay = retryDelayMs(policy, row.attempts);
      const next = await store.failed(id, owner, 'retrying', error, delay);
      if (!next) return; // our lease ended and another worker took over
      logger?.warn({ delivery: id, attempt: row.attempts, retryInMs: delay, error }, 'delivery failed; will retry');
      await changed(next);
      await schedule(id, next.attempts, delay);
    }
  };

  const sweep = async () => {
    const due = await store.due(SWEEP_BATCH);
    // One sweep job per message per interval: several workers sweeping at once add it once (idempotent jobId).
    const bucket = Math.floor(Date.now() / policy.sweepIntervalMs);
    for (const d of due) await schedule(d.id, d.attempts, 0, `${d.id}.${d.attempts}.s${bucket}`);
    return due.length;
  };

  return {
    async enqueue(msg: OutgoingMessage): Promise<DeliveryRecord> {
      checkMessage(msg);
      const attachments = msg.channel === 'email' ? (msg.attachments ?? []) : [];
      for (const a of attachments)
        if (!a.fileName || !a.contentType || !Buffer.isBuffer(a.content)) throw badRequest('invalid_message', 'attachments need fileName, contentType and content', 'attachments');
      const body = bodyOf(msg);
      const contentHash = sha256(
        JSON.stringify({
          channel: msg.channel,
          to: msg.to,
          subject: msg.subject,
          body,
          attachments: attachments.map((a) => ({ fileName: a.fileName, contentType: a.contentType, sha256: sha256(a.content) })),
        }),
      );
      const existing = await store.byKey(msg.key);
      if (existing) {
        // The key decides: what was stored first is what is (or was) sent. A different content under the same key
        // is the caller's bug, worth a line in the log.
        if (existing.content_hash !== contentHash) logger?.warn({ key: msg.key, delivery: existing.id }, 'outbox: same key enqueued with other content; the first is kept');
        return toRecord(existing);
      }
      const id = randomUUID();
      const row = await store.insert(
        {
          id,
          key: msg.key,
          channel: msg.channel,
          to: msg.to,
          subject: msg.subject,
          body,
          tenant: msg.tenant,
          ...(msg.subjectRef ? { subjectRef: msg.subjectRef } : {}),
          // RFC 5322 §3.6.4: globally unique and stable for this message, so a re-send carries the same id.
          messageId: `<${sha256(msg.key).slice(0, 40)}@sargs>`,
          maxAttempts: policy.attempts,
          contentHash,
        },
        attachments,
      );
      if (!row) {
        // Another process stored the same key between our look-up and insert: theirs is the message.
        const other = await store.byKey(msg.key);
        if (!other) throw new Error(`outbox: key ${msg.key} neither inserted nor found`);
        return toRecord(other);
      }
      // listeners hear 'pending' before the job exists, so that a fast worker's 'sending' cannot come first
      await changed(row);
      await schedule(id, 0, 0);
      return toRecord(row);
    },
    async get(id) {
      const row = await store.get(id);
      return row && toRecord(row);
    },
    async byKey(key) {
      const row = await store.byKey(key);
      return row && toRecord(row);
    },
    async list(q) {
      if (Array.isArray(q.tenant) && q.tenant.length === 0) return [];
      const tenants = q.tenant === undefined || q.tenant === '*' ? undefined : Array.isArray(q.tenant) ? q.tenant : [q.tenant];
      const limit = Math.min(Math.max(Math.trunc(q.limit ?? 100), 1), 1000);
      return (await store.list({ tenants, subjectRef: q.subjectRef, state: q.state, limit })).map(toRecord);
    },
    onStateChange(listener) {
      listeners.push(listener);
    },
    sweep,
    startWorker(wopts = {}) {
      // Said once, by the worker (CLI commands that only build the runtime stay quiet on stdout).
      if (!transports.email) logger?.warn('no SMTP relay (SARGS_SMTP_URL): e-mail messages will be dead with that reason and raise an alert');
      const worker = jobs.process(
        queue,
        async (job) => {
          const id = (job.data as { id?: unknown } | null)?.id;
          if (typeof id === 'string') await attempt(id);
        },
        { concurrency: wopts.concurrency ?? 4 },
      );
      const runSweep = () =>
        void sweep().catch((err) => logger?.warn({ err: errorMessage(err) }, 'delivery sweep failed; next one in the interval'));
      runSweep();
      const timer = setInterval(runSweep, policy.sweepIntervalMs);
      timer.unref();
      return {
        async close(closeOpts: CloseOptions = {}) {
          clearInterval(timer);
          await worker.close(closeOpts);
          for (const t of Object.values(transports)) t?.close?.();
        },
      };
    },
  };
}
