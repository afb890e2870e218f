import type { SqlClient } from '../../core/sql/sql-client';
import type {
  AffectedTenant,
  Classification,
  Incident,
  IncidentFacts,
  IncidentTask,
  Notice,
  NoticeContent,
  Sending,
  SendingState,
  StoredClock,
  TimelineEntry,
} from './incident.types';
import { noticeHash } from './notice-hash';

const iso = (v: unknown): string => new Date(v as string).toISOString();
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));
const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

type Row = Record<string, unknown>;

function toIncident(r: Row): Incident {
  return {
    id: r.id as string,
    title: r.title as string,
    description: r.description as string,
    severity: r.severity as Incident['severity'],
    status: r.status as Incident['status'],
    ownerTenant: r.owner_tenant as string,
    affected: json<AffectedTenant[]>(r.affected),
    alertIds: json<string[]>(r.alert_ids),
    facts: json<IncidentFacts>(r.facts),
    awareAt: iso(r.aware_at),
    classification: r.classification === null ? null : json<Classification>(r.classification),
    significant: r.significant as boolean,
    personalDataBreach: r.personal_data as boolean,
    crossBorder: r.cross_border as boolean,
    createdAt: iso(r.created_at),
    createdBy: r.created_by as string,
    updatedAt: iso(r.updated_at),
  };
}

const toTask = (r: Row): IncidentTask => ({
  id: r.id as string,
  incidentId: r.incident_id as string,
  title: r.title as string,
  assignee: (r.assignee as string | null) ?? null,
  dueAt: isoOrNull(r.due_at),
  done: r.done as boolean,
  doneAt: isoOrNull(r.done_at),
  doneBy: (r.done_by as string | null) ?? null,
  createdAt: iso(r.created_at),
  createdBy: r.created_by as string,
});

const toClock = (r: Row): StoredClock & { incidentId: string } => ({
  incidentId: r.incident_id as string,
  key: r.key as string,
  obligation: r.obligation as StoredClock['obligation'],
  tenant: r.tenant as string,
  startsAt: isoOrNull(r.starts_at),
  dueAt: isoOrNull(r.due_at),
  stoppedAt: isoOrNull(r.stopped_at),
  stoppedBy: (r.stopped_by as string | null) ?? null,
  active: r.active as boolean,
});

function toNotice(r: Row): Notice {
  const n = {
    id: r.id as string,
    incidentId: r.incident_id as string,
    kind: r.kind as Notice['kind'],
    audience: (r.audience as string | null) ?? null,
    lang: r.lang as Notice['lang'],
    status: r.status as Notice['status'],
    content: json<NoticeContent>(r.content),
    recipients: json<string[]>(r.recipients),
    channel: r.channel as string,
    createdAt: iso(r.created_at),
    createdBy: r.created_by as string,
    updatedAt: iso(r.updated_at),
    updatedBy: r.updated_by as string,
    reviewedAt: isoOrNull(r.reviewed_at),
    reviewedBy: (r.reviewed_by as string | null) ?? null,
    reviewNote: (r.review_note as string | null) ?? null,
  };
  return { ...n, contentHash: noticeHash(n) };
}

const toSending = (r: Row): Sending => ({
  id: r.id as string,
  noticeId: r.notice_id as string,
  incidentId: r.incident_id as string,
  method: r.method as Sending['method'],
  sentBy: r.sent_by as string,
  sentAt: iso(r.sent_at),
  recipients: json<string[]>(r.recipients),
  channel: r.channel as string,
  contentHash: r.content_hash as string,
  reference: (r.reference as string | null) ?? null,
  deliveryId: (r.delivery_id as string | null) ?? null,
  state: r.state as SendingState,
  deliveredAt: isoOrNull(r.delivered_at),
  lastError: (r.last_error as string | null) ?? null,
});

/**
 * The SQL store of incident cases (core/migrations/0080-incidents.sql), PGlite or Postgres. Authorisation is the
 * caller's (incident.service.ts / incident.routes.ts); `tenants` lists only narrow what is read.
 */
export function createIncidentStore(sql: Pick<SqlClient, 'query'> & Partial<Pick<SqlClient, 'transaction'>>) {
  async function setTenants(id: string, tenants: string[]): Promise<void> {
    await sql.query('DELETE FROM incident_tenants WHERE incident_id = $1', [id]);
    for (const t of new Set(tenants)) await sql.query('INSERT INTO incident_tenants (incident_id, tenant) VALUES ($1, $2)', [id, t]);
  }
  const tenantsOf = (i: Pick<Incident, 'ownerTenant' | 'affected'>) => [i.ownerTenant, ...i.affected.map((a) => a.tenant)];

  return {
    /**
     * Runs `fn` with a store bound to one transaction that holds the incident's row lock (SELECT … FOR UPDATE), so
     * that derivations from several writers (an API request, an outbox delivery, another instance) never interleave.
     */
    async locked<R>(id: string, fn: (tx: IncidentStore) => Promise<R>): Promise<R> {
      if (!sql.transaction) return fn(this as IncidentStore);
      return sql.transaction(async (tx) => {
        await tx.query('SELECT id FROM incidents WHERE id = $1 FOR UPDATE', [id]);
        return fn(createIncidentStore(tx));
      });
    },

    async create(i: Incident): Promise<Incident> {
      await sql.query(
        `INSERT INTO incidents (id, title, description, severity, status, owner_tenant, affected, alert_ids, facts, aware_at, classification,
           significant, personal_data, cross_border, created_at, created_by, updated_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7::jsonb,$8::jsonb,$9::jsonb,$10,$11::jsonb,$12,$13,$14,$15,$16,$15)`,
        [i.id, i.title, i.description, i.severity, i.status, i.ownerTenant, JSON.stringify(i.affected), JSON.stringify(i.alertIds), JSON.stringify(i.facts),
          i.awareAt, i.classification ? JSON.stringify(i.classification) : null, i.significant, i.personalDataBreach, i.crossBorder, i.createdAt, i.createdBy],
      );
      await setTenants(i.id, tenantsOf(i));
      return i;
    },

    async get(id: string): Promise<Incident | undefined> {
      const r = await sql.query('SELECT * FROM incidents WHERE id = $1', [id]);
      return r.rows[0] ? toIncident(r.rows[0]) : undefined;
    },

    /** Incidents concerning any of `tenants` ('*' = all), most recently changed first. */
    async list(q: { tenants: string[] | '*'; status?: string; limit?: number }): Promise<Incident[]> {
      const params: unknown[] = [];
      const where: string[] = [];
      if (q.tenants !== '*') {
        params.push(q.tenants);
        where.push(`id IN (SELECT incident_id FROM incident_tenants WHERE tenant = ANY($${params.length}::text[]))`);
      }
      if (q.status) {
        params.push(q.status);
        where.push(`status = $${params.length}`);
      }
      params.push(Math.min(q.limit ?? 200, 1000));
      const r = await sql.query(
        `SELECT * FROM incidents ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY updated_at DESC, id DESC LIMIT $${params.length}`,
        params,
      );
      return r.rows.map(toIncident);
    },

    /** Writes the whole case back (the service changes a copy and saves it). */
    async save(i: Incident): Promise<Incident> {
      const updatedAt = new Date().toISOString();
      await sql.query(
        `UPDATE incidents SET title=$2, description=$3, severity=$4, status=$5, affected=$6::jsonb, alert_ids=$7::jsonb, facts=$8::jsonb, aware_at=$9,
           classification=$10::jsonb, significant=$11, personal_data=$12, cross_border=$13, updated_at=$14 WHERE id=$1`,
        [i.id, i.title, i.description, i.severity, i.status, JSON.stringify(i.affected), JSON.stringify(i.alertIds), JSON.stringify(i.facts), i.awareAt,
          i.classification ? JSON.stringify(i.classification) : null, i.significant, i.personalDataBreach, i.crossBorder, updatedAt],
      );
      await setTenants(i.id, tenantsOf(i));
      return { ...i, updatedAt };
    },

    async touch(id: string): Promise<void> {
      await sql.query('UPDATE incidents SET updated_at = now() WHERE id = $1', [id]);
    },

    async addTimeline(incidentId: string, e: { actor: string; kind: string; summary: string; tenant?: string | null; details?: Record<string, unknown>; at?: string }): Promise<void> {
      await sql.query('INSERT INTO incident_timeline (incident_id, at, actor, kind, summary, tenant, details) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)', [
        incidentId, e.at ?? new Date().toISOString(), e.actor, e.kind, e.summary, e.tenant ?? null, JSON.stringify(e.details ?? {}),
      ]);
    },

    async timeline(incidentId: string): Promise<TimelineEntry[]> {
      const r = await sql.query('SELECT * FROM incident_timeline WHERE incident_id = $1 ORDER BY seq', [incidentId]);
      return r.rows.map((x) => ({
        seq: Number(x.seq), at: iso(x.at), actor: x.actor as string, kind: x.kind as string, summary: x.summary as string,
        tenant: (x.tenant as string | null) ?? null, details: json<Record<string, unknown>>(x.details),
      }));
    },

    async addTask(t: IncidentTask): Promise<IncidentTask> {
      await sql.query('INSERT INTO incident_tasks (id, incident_id, title, assignee, due_at, done, created_at, created_by) VALUES ($1,$2,$3,$4,$5,false,$6,$7)', [
        t.id, t.incidentId, t.title, t.assignee, t.dueAt, t.createdAt, t.createdBy,
      ]);
      return t;
    },

    async saveTask(t: IncidentTask): Promise<void> {
      await sql.query('UPDATE incident_tasks SET title=$2, assignee=$3, due_at=$4, done=$5, done_at=$6, done_by=$7 WHERE id=$1', [
        t.id, t.title, t.assignee, t.dueAt, t.done, t.doneAt, t.doneBy,
      ]);
    },

    async tasks(incidentId: string): Promise<IncidentTask[]> {
      const r = await sql.query('SELECT * FROM incident_tasks WHERE incident_id = $1 ORDER BY created_at, id', [incidentId]);
      return r.rows.map(toTask);
    },

    /**
     * Stores the derived clocks: upserts each; a stored clock not in `clocks` is kept but made inactive (its
     * obligation no longer applies). Returns the clocks that changed (key list) for the timeline.
     */
    async replaceClocks(incidentId: string, clocks: StoredClock[]): Promise<string[]> {
      const before = new Map((await this.clocks(incidentId)).map((c) => [c.key, c]));
      const changed: string[] = [];
      for (const c of clocks) {
        const b = before.get(c.key);
        if (b && b.startsAt === c.startsAt && b.dueAt === c.dueAt && b.stoppedAt === c.stoppedAt && b.active === c.active && b.stoppedBy === c.stoppedBy) continue;
        changed.push(c.key);
        await sql.query(
          `INSERT INTO incident_clocks (incident_id, key, obligation, tenant, starts_at, due_at, stopped_at, stopped_by, active)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,true)
           ON CONFLICT (incident_id, key) DO UPDATE SET obligation=EXCLUDED.obligation, tenant=EXCLUDED.tenant, starts_at=EXCLUDED.starts_at,
             due_at=EXCLUDED.due_at, stopped_at=EXCLUDED.stopped_at, stopped_by=EXCLUDED.stopped_by, active=true`,
          [incidentId, c.key, c.obligation, c.tenant, c.startsAt, c.dueAt, c.stoppedAt, c.stoppedBy],
        );
      }
      const keep = new Set(clocks.map((c) => c.key));
      for (const [key, b] of before) {
        if (keep.has(key) || !b.active) continue;
        changed.push(key);
        await sql.query('UPDATE incident_clocks SET active = false WHERE incident_id = $1 AND key = $2', [incidentId, key]);
      }
      return changed;
    },

    async clocks(incidentId: string): Promise<StoredClock[]> {
      const r = await sql.query('SELECT * FROM incident_clocks WHERE incident_id = $1 ORDER BY due_at NULLS LAST, key', [incidentId]);
      return r.rows.map(toClock).map(({ incidentId: _i, ...c }) => c);
    },

    /** Clocks of several incidents at once (the list page). */
    async clocksOf(incidentIds: string[]): Promise<Map<string, StoredClock[]>> {
      const out = new Map<string, StoredClock[]>(incidentIds.map((id) => [id, []]));
      if (!incidentIds.length) return out;
      const r = await sql.query('SELECT * FROM incident_clocks WHERE incident_id = ANY($1::text[]) ORDER BY due_at NULLS LAST, key', [incidentIds]);
      for (const row of r.rows.map(toClock)) {
        const { incidentId, ...c } = row;
        out.get(incidentId)?.push(c);
      }
      return out;
    },

    /** Every running clock (active, started, not stopped) of incidents not closed: what the escalation job looks at. */
    async runningClocks(): Promise<Array<StoredClock & { incidentId: string; title: string }>> {
      const r = await sql.query(
        `SELECT c.*, i.title FROM incident_clocks c JOIN incidents i ON i.id = c.incident_id
         WHERE c.active AND c.stopped_at IS NULL AND c.due_at IS NOT NULL AND i.status <> 'closed' ORDER BY c.due_at`,
      );
      return r.rows.map((x) => ({ ...toClock(x), title: x.title as string }));
    },

    async insertNotice(n: Omit<Notice, 'contentHash'>): Promise<Notice> {
      await sql.query(
        `INSERT INTO incident_notices (id, incident_id, kind, audience, lang, status, content, recipients, channel, created_at, created_by, updated_at, updated_by)
         VALUES ($1,$2,$3,$4,$5,$6,$7::jsonb,$8::jsonb,$9,$10,$11,$10,$11)`,
        [n.id, n.incidentId, n.kind, n.audience, n.lang, n.status, JSON.stringify(n.content), JSON.stringify(n.recipients), n.channel, n.createdAt, n.createdBy],
      );
      return { ...n, contentHash: noticeHash(n) };
    },

    async saveNotice(n: Notice): Promise<Notice> {
      await sql.query(
        `UPDATE incident_notices SET lang=$2, status=$3, content=$4::jsonb, recipients=$5::jsonb, channel=$6, updated_at=$7, updated_by=$8,
           reviewed_at=$9, reviewed_by=$10, review_note=$11 WHERE id=$1`,
        [n.id, n.lang, n.status, JSON.stringify(n.content), JSON.stringify(n.recipients), n.channel, n.updatedAt, n.updatedBy, n.reviewedAt, n.reviewedBy, n.reviewNote],
      );
      return { ...n, contentHash: noticeHash(n) };
    },

    async notice(id: string): Promise<Notice | undefined> {
      const r = await sql.query('SELECT * FROM incident_notices WHERE id = $1', [id]);
      return r.rows[0] ? toNotice(r.rows[0]) : undefined;
    },

    async notices(incidentId: string): Promise<Notice[]> {
      const r = await sql.query('SELECT * FROM incident_notices WHERE incident_id = $1 ORDER BY created_at, id', [incidentId]);
      return r.rows.map(toNotice);
    },

    async insertSending(s: Sending): Promise<Sending> {
      await sql.query(
        `INSERT INTO incident_sendings (id, notice_id, incident_id, method, sent_by, sent_at, recipients, channel, content_hash, reference, delivery_id, state, delivered_at, last_error)
         VALUES ($1,$2,$3,$4,$5,$6,$7::jsonb,$8,$9,$10,$11,$12,$13,$14)`,
        [s.id, s.noticeId, s.incidentId, s.method, s.sentBy, s.sentAt, JSON.stringify(s.recipients), s.channel, s.contentHash, s.reference, s.deliveryId, s.state, s.deliveredAt, s.lastError],
      );
      return s;
    },

    /** Follows the outbox record's state; returns the sending when it changed. */
    async updateSendingState(deliveryId: string, state: SendingState, deliveredAt: string | null, lastError: string | null): Promise<Sending | undefined> {
      const r = await sql.query(
        `UPDATE incident_sendings SET state=$2, delivered_at=COALESCE(delivered_at, $3), last_error=$4
         WHERE delivery_id=$1 AND state <> 'delivered' AND (state <> $2 OR last_error IS DISTINCT FROM $4) RETURNING *`,
        [deliveryId, state, deliveredAt, lastError],
      );
      return r.rows[0] ? toSending(r.rows[0]) : undefined;
    },

    async sendings(incidentId: string): Promise<Array<Sending & { kind: Notice['kind']; audience: string | null }>> {
      const r = await sql.query(
        `SELECT s.*, n.kind, n.audience FROM incident_sendings s JOIN incident_notices n ON n.id = s.notice_id WHERE s.incident_id = $1 ORDER BY s.sent_at, s.id`,
        [incidentId],
      );
      return r.rows.map((x) => ({ ...toSending(x), kind: x.kind as Notice['kind'], audience: (x.audience as string | null) ?? null }));
    },

    /**
     * Records an escalation step for a clock and due time once: true when this call recorded it (then the caller
     * sends it), false when it was already recorded (another run or instance did).
     */
    async recordEscalation(e: { incidentId: string; clockKey: string; dueAt: string; step: string; recipients: string[]; deliveryKey: string | null }): Promise<boolean> {
      const r = await sql.query(
        `INSERT INTO incident_escalations (incident_id, clock_key, due_at, step, recipients, delivery_key) VALUES ($1,$2,$3,$4,$5::jsonb,$6)
         ON CONFLICT DO NOTHING RETURNING step`,
        [e.incidentId, e.clockKey, e.dueAt, e.step, JSON.stringify(e.recipients), e.deliveryKey],
      );
      return r.rowCount > 0;
    },

    async escalations(incidentId: string): Promise<Array<{ clockKey: string; dueAt: string; step: string; at: string; recipients: string[]; deliveryKey: string | null }>> {
      const r = await sql.query('SELECT * FROM incident_escalations WHERE incident_id = $1 ORDER BY at, clock_key, step', [incidentId]);
      return r.rows.map((x) => ({ clockKey: x.clock_key as string, dueAt: iso(x.due_at), step: x.step as string, at: iso(x.at), recipients: json<string[]>(x.recipients), deliveryKey: (x.delivery_key as string | null) ?? null }));
    },
  };
}

export interface IncidentStore extends ReturnType<typeof createIncidentStore> {}
