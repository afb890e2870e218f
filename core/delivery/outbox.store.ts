import type { SqlClient } from '../sql/sql-client';
import type { DeliveryRecord, DeliveryState } from './outbox.types';
import type { StoredMessage } from './transports';

/** A row of sargs_outbox (core/migrations/0090-delivery-outbox.sql). */
export interface OutboxRow {
  id: string;
  key: string;
  channel: 'email' | 'webhook';
  recipients: string[];
  subject: string;
  body: string;
  tenant: string;
  subject_kind: string | null;
  subject_id: string | null;
  state: DeliveryState;
  attempts: number;
  max_attempts: number;
  next_attempt_at: Date | string;
  last_error: string | null;
  response: string | null;
  message_id: string;
  content_hash: string;
  created_at: Date | string;
  updated_at: Date | string;
  delivered_at: Date | string | null;
}

const iso = (v: Date | string): string => new Date(v).toISOString();

/** The public record of a row (the body and attachments stay in the store). */
export function toRecord(r: OutboxRow): DeliveryRecord {
  return {
    id: r.id,
    key: r.key,
    channel: r.channel,
    to: r.recipients,
    subject: r.subject,
    state: r.state,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    ...(r.last_error !== null ? { lastError: r.last_error } : {}),
    contentHash: r.content_hash,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    ...(r.state === 'pending' || r.state === 'retrying' ? { nextAttemptAt: iso(r.next_attempt_at) } : {}),
    ...(r.delivered_at !== null ? { deliveredAt: iso(r.delivered_at) } : {}),
    tenant: r.tenant,
    ...(r.subject_kind !== null && r.subject_id !== null ? { subjectRef: { kind: r.subject_kind, id: r.subject_id } } : {}),
    ...(r.channel === 'email' ? { messageId: r.message_id } : {}),
    ...(r.response !== null ? { response: r.response } : {}),
  };
}

// Times come from the database clock (clock_timestamp), so workers of several processes agree on leases and due times.
const COLUMNS = `id, key, channel, recipients, subject, body, tenant, subject_kind, subject_id, state, attempts, max_attempts,
  next_attempt_at, last_error, response, message_id, content_hash, created_at, updated_at, delivered_at`;

const INSERT = `INSERT INTO sargs_outbox (id, key, channel, recipients, subject, body, tenant, subject_kind, subject_id,
    max_attempts, message_id, content_hash, next_attempt_at, created_at, updated_at)
  VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10, $11, $12, clock_timestamp(), clock_timestamp(), clock_timestamp())
  ON CONFLICT (key) DO NOTHING RETURNING ${COLUMNS}`;

// The claim: a due message, or one whose sender's lease ended (that worker died mid-send), becomes 'sending' under
// a new lease owned by this attempt. One UPDATE, so two workers given the same message never both send it. A job
// may run up to 2 s before the due time (its delay is timed by Redis or this process, the due time by the database).
const CLAIM = `UPDATE sargs_outbox SET state = 'sending', attempts = attempts + 1, lease_owner = $2,
    lease_until = clock_timestamp() + $3::double precision * interval '1 millisecond', updated_at = clock_timestamp()
  WHERE id = $1 AND ((state IN ('pending', 'retrying') AND next_attempt_at <= clock_timestamp() + interval '2 seconds')
    OR (state = 'sending' AND lease_until < clock_timestamp()))
  RETURNING ${COLUMNS}`;

// Delivered is a fact, whoever's lease it is: written unless the row already says so.
const DELIVERED = `UPDATE sargs_outbox SET state = 'delivered', delivered_at = clock_timestamp(), updated_at = clock_timestamp(),
    lease_owner = NULL, lease_until = NULL, response = $2
  WHERE id = $1 AND state <> 'delivered' RETURNING ${COLUMNS}`;

// A failure is written only while the lease is still ours (lease_owner is the fencing token): a worker whose lease
// ended cannot overwrite the state of the worker that took over.
const FAILED = `UPDATE sargs_outbox SET state = $3, last_error = $4, updated_at = clock_timestamp(), lease_owner = NULL, lease_until = NULL,
    next_attempt_at = clock_timestamp() + $5::double precision * interval '1 millisecond'
  WHERE id = $1 AND lease_owner = $2 AND state = 'sending' RETURNING ${COLUMNS}`;

const DUE = `SELECT id, attempts FROM sargs_outbox
  WHERE (state IN ('pending', 'retrying') AND next_attempt_at <= clock_timestamp())
     OR (state = 'sending' AND lease_until < clock_timestamp())
  ORDER BY next_attempt_at LIMIT $1`;

/** The SQL of the outbox; every statement parameterised. */
export function createOutboxStore(sql: SqlClient) {
  const one = (r: { rows: OutboxRow[] }) => r.rows[0];
  return {
    /** Stores a new message with its attachments; undefined when the key exists already. */
    async insert(
      m: Omit<StoredMessage, 'attachments'> & { subjectRef?: { kind: string; id: string }; maxAttempts: number; contentHash: string },
      attachments: StoredMessage['attachments'],
    ): Promise<OutboxRow | undefined> {
      return sql.transaction(async (tx) => {
        const row = one(
          await tx.query<OutboxRow>(INSERT, [
            m.id, m.key, m.channel, JSON.stringify(m.to), m.subject, m.body, m.tenant,
            m.subjectRef?.kind ?? null, m.subjectRef?.id ?? null, m.maxAttempts, m.messageId, m.contentHash,
          ]),
        );
        if (!row) return undefined;
        for (const [i, a] of attachments.entries())
          await tx.query('INSERT INTO sargs_outbox_attachments (message_id, position, file_name, content_type, content) VALUES ($1, $2, $3, $4, $5)', [
            m.id, i, a.fileName, a.contentType, a.content,
          ]);
        return row;
      });
    },
    async get(id: string): Promise<OutboxRow | undefined> {
      return one(await sql.query<OutboxRow>(`SELECT ${COLUMNS} FROM sargs_outbox WHERE id = $1`, [id]));
    },
    async byKey(key: string): Promise<OutboxRow | undefined> {
      return one(await sql.query<OutboxRow>(`SELECT ${COLUMNS} FROM sargs_outbox WHERE key = $1`, [key]));
    },
    async attachments(id: string): Promise<StoredMessage['attachments']> {
      const r = await sql.query<{ file_name: string; content_type: string; content: Uint8Array }>(
        'SELECT file_name, content_type, content FROM sargs_outbox_attachments WHERE message_id = $1 ORDER BY position',
        [id],
      );
      return r.rows.map((a) => ({ fileName: a.file_name, contentType: a.content_type, content: Buffer.from(a.content) }));
    },
    async claim(id: string, owner: string, leaseMs: number): Promise<OutboxRow | undefined> {
      return one(await sql.query<OutboxRow>(CLAIM, [id, owner, leaseMs]));
    },
    async delivered(id: string, response: string): Promise<OutboxRow | undefined> {
      return one(await sql.query<OutboxRow>(DELIVERED, [id, response]));
    },
    async failed(id: string, owner: string, state: 'retrying' | 'dead', error: string, retryInMs: number): Promise<OutboxRow | undefined> {
      return one(await sql.query<OutboxRow>(FAILED, [id, owner, state, error, retryInMs]));
    },
    /** Messages whose send is due now or whose sender's lease ended. */
    async due(limit: number): Promise<Array<{ id: string; attempts: number }>> {
      return (await sql.query<{ id: string; attempts: number }>(DUE, [limit])).rows;
    },
    async list(q: { tenants?: string[]; subjectRef?: { kind: string; id: string }; state?: DeliveryState; limit: number }): Promise<OutboxRow[]> {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (cond: (n: string) => string, v: unknown) => {
        params.push(v);
        where.push(cond(`$${params.length}`));
      };
      if (q.tenants) add((n) => `tenant = ANY(${n}::text[])`, q.tenants);
      if (q.subjectRef) {
        add((n) => `subject_kind = ${n}`, q.subjectRef.kind);
        add((n) => `subject_id = ${n}`, q.subjectRef.id);
      }
      if (q.state) add((n) => `state = ${n}`, q.state);
      params.push(q.limit);
      const r = await sql.query<OutboxRow>(
        `SELECT ${COLUMNS} FROM sargs_outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
        params,
      );
      return r.rows;
    },
  };
}

export type OutboxStore = ReturnType<typeof createOutboxStore>;
