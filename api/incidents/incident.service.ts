import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError } from '../../core/errors';
import type { DeliveryRecord, Outbox } from '../../core/delivery/outbox.types';
import type { AuditLog } from '../../core/stores/audit-log';
import type { AlertStore } from '../../core/stores/alert-store';
import { deriveClocks, rigaText, stepReached, viewClock } from './clock-rules';
import { significantCriteria } from './classification';
import type { IncidentPolicy } from './incident-policy';
import type { IncidentStore } from './incident.store';
import {
  type AffectedTenant,
  type Classification,
  type ClockView,
  type Incident,
  type IncidentFacts,
  type IncidentSeverity,
  type IncidentStatus,
  type IncidentTask,
  type Notice,
  type NoticeContent,
  type NoticeKind,
  type Sending,
  type SendingState,
  isGdprKind,
} from './incident.types';
import { draftNotice } from './notice-drafts';
import { noticeText } from './notice-hash';

export interface IncidentServiceDeps {
  store: IncidentStore;
  audit: Pick<AuditLog, 'record'>;
  policy: IncidentPolicy;
  /** Alerts an incident is made from; the alert gets a comment linking back. */
  alerts?: Pick<AlertStore, 'get' | 'update'>;
  tenantName: (id: string) => string;
  logger?: Logger;
  now?: () => number;
}

export interface CreateIncidentInput {
  title: string;
  description?: string;
  severity: IncidentSeverity;
  ownerTenant: string;
  affected?: AffectedTenant[];
  alertIds?: string[];
  awareAt: string;
  facts?: IncidentFacts;
}

export interface UpdateIncidentInput {
  title?: string;
  description?: string;
  severity?: IncidentSeverity;
  status?: IncidentStatus;
  affected?: AffectedTenant[];
  facts?: IncidentFacts;
  awareAt?: string;
  /** Required with awareAt: why "became aware at" is corrected (kept in the timeline). */
  awareAtReason?: string;
}

export interface ClassifyInput {
  answers: Classification['answers'];
  /** The officer's decision; omitted = the suggestion. Against the suggestion it needs overrideReason. */
  significant?: boolean;
  overrideReason?: string;
}

/** The case with a change applied (facts merge field by field). */
function applyPatch(before: Incident, patch: UpdateIncidentInput): Incident {
  return {
    ...before,
    ...(patch.title !== undefined ? { title: patch.title } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    ...(patch.severity !== undefined ? { severity: patch.severity } : {}),
    ...(patch.status !== undefined ? { status: patch.status } : {}),
    ...(patch.affected !== undefined ? { affected: patch.affected } : {}),
    ...(patch.facts !== undefined ? { facts: { ...before.facts, ...patch.facts } } : {}),
    ...(patch.awareAt !== undefined ? { awareAt: new Date(patch.awareAt).toISOString() } : {}),
  };
}

const SENDING_STATE: Record<DeliveryRecord['state'], SendingState> = { pending: 'pending', sending: 'sending', retrying: 'retrying', delivered: 'delivered', dead: 'dead' };

/**
 * Incident cases (issue 6): create from alerts or by hand, change, classify, run the legal clocks, draft, review and
 * send notices, follow their delivery, escalate clocks to on-call and deputy. Every change goes to the case's
 * timeline and Sargs's audit trail. Authorisation is the routes' (incident.routes.ts); `actor` is who acts.
 */
export function createIncidentService(deps: IncidentServiceDeps) {
  const { store, audit, policy } = deps;
  const now = deps.now ?? Date.now;
  let outbox: Outbox | undefined;

  async function mustGet(id: string): Promise<Incident> {
    const i = await store.get(id);
    if (!i) throw new AppError(404, 'not_found', `incident ${id} not found`, { field: 'id' });
    return i;
  }

  async function mustNotice(incidentId: string, noticeId: string): Promise<Notice> {
    const n = await store.notice(noticeId);
    if (!n || n.incidentId !== incidentId) throw new AppError(404, 'not_found', `notice ${noticeId} not found`, { field: 'noticeId' });
    return n;
  }

  /** Re-derives and stores the clocks; each clock that starts, moves, stops or lapses goes to the timeline. */
  async function recomputeClocks(given: Incident, actor: string, why: string): Promise<void> {
    // Under the incident's row lock, from the case and sendings as they are now: two writers (a request and a
    // delivery) never store a mix of their views.
    await store.locked(given.id, async (tx) => {
      const incident = (await tx.get(given.id)) ?? given;
      const sendings = await tx.sendings(incident.id);
      const clocks = deriveClocks(incident, sendings, { processorTenant: policy.processorTenant, processorToControllerHours: policy.processorToControllerHours });
      const changed = await tx.replaceClocks(incident.id, clocks);
      if (!changed.length) return;
      const after = new Map((await tx.clocks(incident.id)).map((c) => [c.key, c]));
      for (const key of changed) {
        const c = after.get(key)!;
        const what = !c.active ? 'no longer applies' : c.stoppedAt ? `stopped at ${rigaText(c.stoppedAt)}` : c.dueAt ? `due ${rigaText(c.dueAt)} (Riga)` : 'waiting for its start';
        await tx.addTimeline(incident.id, {
          actor, kind: 'clock', summary: `clock ${key}: ${what}`, tenant: c.tenant !== incident.ownerTenant ? c.tenant : null,
          details: { key, why, startsAt: c.startsAt, dueAt: c.dueAt, stoppedAt: c.stoppedAt, active: c.active },
        });
      }
    });
  }

  async function changed(incident: Incident, actor: string, action: string, summary: string, details: Record<string, unknown>, tenant: string | null = null) {
    await store.addTimeline(incident.id, { actor, kind: action.replace(/^incident\./, ''), summary, tenant, details });
    await audit.record(actor, action, incident.id, { owner: incident.ownerTenant, ...details });
  }

  function defaultRecipients(incident: Incident, kind: NoticeKind, audience: string | null): { recipients: string[]; channel: string } {
    if (kind.startsWith('nis2-')) return { recipients: [...policy.recipients['cert-lv'].to], channel: policy.recipients['cert-lv'].channel };
    if (kind === 'gdpr-controller-to-dvi') return { recipients: [...policy.recipients.dvi.to], channel: policy.recipients.dvi.channel };
    return { recipients: [...(policy.onCallFor(audience ?? incident.ownerTenant).notices ?? [])], channel: 'email' };
  }

  async function notificationSentAt(incidentId: string): Promise<string | null> {
    const c = (await store.clocks(incidentId)).find((x) => x.key === 'nis2-notification');
    return c?.stoppedAt ?? null;
  }

  /** Checks which audience a notice of `kind` may have on this incident. */
  function checkAudience(incident: Incident, kind: NoticeKind, audience: string | null): string | null {
    if (!isGdprKind(kind)) {
      if (audience) throw new AppError(400, 'invalid_body', 'audience: NIS2 notices go to CERT.LV and name no municipality', { field: 'audience' });
      return null;
    }
    if (kind === 'gdpr-processor-to-controller') {
      if (incident.ownerTenant !== policy.processorTenant) throw new AppError(400, 'invalid_body', `kind: only the processor (${policy.processorTenant}) notifies controllers`, { field: 'kind' });
      if (!audience || !incident.affected.some((a) => a.tenant === audience) || audience === incident.ownerTenant)
        throw new AppError(400, 'invalid_body', 'audience: must be one of the affected municipalities', { field: 'audience' });
      return audience;
    }
    const a = audience ?? incident.ownerTenant;
    const ok = incident.ownerTenant === policy.processorTenant ? incident.affected.some((x) => x.tenant === a) && a !== incident.ownerTenant : a === incident.ownerTenant;
    if (!ok) throw new AppError(400, 'invalid_body', 'audience: must be a controller municipality of this incident', { field: 'audience' });
    return a;
  }

  async function insertDraft(incident: Incident, kind: NoticeKind, lang: 'lv' | 'en', audience: string | null, actor: string): Promise<Notice> {
    if (!incident.personalDataBreach && isGdprKind(kind)) throw new AppError(409, 'not_applicable', 'kind: the incident is not classified as a personal data breach', { field: 'kind' });
    if (!incident.significant && kind.startsWith('nis2-')) throw new AppError(409, 'not_applicable', 'kind: the incident is not classified as significant', { field: 'kind' });
    const content = draftNotice({ incident, kind, lang, audience, policy, tenantName: deps.tenantName, notificationSentAt: await notificationSentAt(incident.id) });
    const at = new Date(now()).toISOString();
    const n = await store.insertNotice({
      id: randomUUID(), incidentId: incident.id, kind, audience, lang, status: 'draft', content, ...defaultRecipients(incident, kind, audience),
      createdAt: at, createdBy: actor, updatedAt: at, updatedBy: actor, reviewedAt: null, reviewedBy: null, reviewNote: null,
    });
    await changed(incident, actor, 'incident.notice_drafted', `notice ${kind} drafted${audience ? ` for ${audience}` : ''}`, { notice: n.id, kind, audience }, audience);
    return n;
  }

  async function recordSending(incident: Incident, notice: Notice, s: Sending, actor: string): Promise<Sending> {
    await store.insertSending(s);
    if (notice.status !== 'sent') await store.saveNotice({ ...notice, status: 'sent', updatedAt: s.sentAt, updatedBy: actor });
    const how = s.method === 'outbox' ? `queued for delivery (${s.channel})` : `recorded as sent by other means (${s.channel})`;
    await changed(incident, actor, s.method === 'outbox' ? 'incident.notice_sent' : 'incident.notice_sent_elsewhere', `notice ${notice.kind} ${how} to ${s.recipients.join(', ')}`,
      { notice: notice.id, sending: s.id, kind: notice.kind, to: s.recipients, channel: s.channel, contentHash: s.contentHash, sentAt: s.sentAt, reference: s.reference, state: s.state }, notice.audience);
    await recomputeClocks(incident, actor, `sending ${s.id}`);
    return s;
  }

  /** Follows an outbox record of a notice: the clock stops when it is delivered; a dead one is in the timeline. */
  async function onDelivery(rec: DeliveryRecord): Promise<void> {
    if (rec.subjectRef?.kind !== 'incident-notice') return;
    const s = await store.updateSendingState(rec.id, SENDING_STATE[rec.state], rec.deliveredAt ?? null, rec.lastError ?? null);
    if (!s || (s.state !== 'delivered' && s.state !== 'dead')) return;
    const incident = await store.get(s.incidentId);
    if (!incident) return;
    const notice = await store.notice(s.noticeId);
    await store.addTimeline(incident.id, {
      actor: 'sargs', kind: s.state === 'delivered' ? 'notice_delivered' : 'notice_dead',
      summary: s.state === 'delivered' ? `notice ${notice?.kind} delivered to ${s.recipients.join(', ')}` : `notice ${notice?.kind} could not be delivered: ${s.lastError ?? 'unknown error'}`,
      tenant: notice?.audience ?? null, details: { sending: s.id, delivery: rec.id, contentHash: s.contentHash, outboxContentHash: rec.contentHash, deliveredAt: s.deliveredAt },
    });
    await audit.record('sargs', s.state === 'delivered' ? 'incident.notice_delivered' : 'incident.notice_dead', incident.id, { sending: s.id, delivery: rec.id });
    await recomputeClocks(incident, 'sargs', `delivery ${rec.id} ${rec.state}`);
    await store.touch(incident.id);
  }

  const service = {
    policy,

    /** Wires the delivery outbox (core/delivery): notices and escalations go through it; its state changes stop clocks. */
    attachOutbox(o: Outbox): void {
      if (outbox === o) return;
      outbox = o;
      o.onStateChange((rec) => onDelivery(rec).catch((err) => deps.logger?.warn({ err: String(err), delivery: rec.id }, 'incident delivery state not recorded')));
    },
    get outbox(): Outbox | undefined {
      return outbox;
    },

    async create(input: CreateIncidentInput, actor: string): Promise<Incident> {
      const at = new Date(now()).toISOString();
      const alertIds = [...new Set(input.alertIds ?? [])];
      const affected = [...(input.affected ?? [])];
      // Alerts first: an unknown alert refuses the whole case; their tenants become affected tenants.
      const alerts = [];
      for (const id of alertIds) {
        const a = await deps.alerts?.get(id, '*');
        if (!a) throw new AppError(400, 'invalid_body', `alertIds: alert ${id} not found`, { field: 'alertIds' });
        alerts.push(a);
        if (a.tenant !== input.ownerTenant && !affected.some((x) => x.tenant === a.tenant)) affected.push({ tenant: a.tenant, applications: [], dataCategories: [], personsAffected: 0 });
      }
      const incident: Incident = {
        id: randomUUID(), title: input.title, description: input.description ?? '', severity: input.severity, status: 'open', ownerTenant: input.ownerTenant,
        affected, alertIds, facts: input.facts ?? {}, awareAt: new Date(input.awareAt).toISOString(), classification: null, significant: false,
        personalDataBreach: false, crossBorder: false, createdAt: at, createdBy: actor, updatedAt: at,
      };
      await store.create(incident);
      await changed(incident, actor, 'incident.created', `incident opened${alertIds.length ? ` from ${alertIds.length} alert(s)` : ' by hand'}; became aware at ${rigaText(incident.awareAt)} (Riga)`,
        { title: incident.title, severity: incident.severity, affected: affected.map((a) => a.tenant), alertIds, awareAt: incident.awareAt });
      for (const a of alerts) await deps.alerts!.update(a.id, '*', { comment: `Linked to incident ${incident.id}: ${incident.title}` }, actor);
      return incident;
    },

    get: mustGet,

    async update(id: string, patch: UpdateIncidentInput, actor: string): Promise<Incident> {
      if (patch.awareAt !== undefined && !patch.awareAtReason?.trim())
        throw new AppError(400, 'invalid_body', 'awareAtReason: say why "became aware at" is corrected', { field: 'awareAtReason' });
      // Read and write under the row lock: two concurrent changes never lose one another.
      const { before, after, saved } = await store.locked(id, async (tx) => {
        const before = await tx.get(id);
        if (!before) throw new AppError(404, 'not_found', `incident ${id} not found`, { field: 'id' });
        const after = applyPatch(before, patch);
        return { before, after, saved: await tx.save(after) };
      });
      for (const field of ['title', 'description', 'severity', 'status'] as const) {
        if (patch[field] === undefined || before[field] === after[field]) continue;
        await changed(saved, actor, `incident.${field}_changed`, `${field}: ${field === 'description' ? '(text changed)' : `${before[field]} → ${after[field]}`}`, { field, from: before[field], to: after[field] });
      }
      if (patch.affected !== undefined && JSON.stringify(before.affected) !== JSON.stringify(after.affected))
        await changed(saved, actor, 'incident.affected_changed', `affected tenants: ${after.affected.map((a) => a.tenant).join(', ') || '—'}`, { from: before.affected, to: after.affected });
      if (patch.facts !== undefined && JSON.stringify(before.facts) !== JSON.stringify(after.facts))
        await changed(saved, actor, 'incident.facts_changed', `facts changed: ${Object.keys(patch.facts).join(', ')}`, { fields: Object.keys(patch.facts) });
      if (before.awareAt !== after.awareAt)
        await changed(saved, actor, 'incident.aware_corrected', `"became aware at" corrected: ${rigaText(before.awareAt)} → ${rigaText(after.awareAt)} (Riga); clocks move with it`,
          { from: before.awareAt, to: after.awareAt, reason: patch.awareAtReason });
      await recomputeClocks(saved, actor, 'case changed');
      return saved;
    },

    async linkAlerts(id: string, alertIds: string[], actor: string): Promise<Incident> {
      const incident = await mustGet(id);
      const fresh = alertIds.filter((a) => !incident.alertIds.includes(a));
      const affected = [...incident.affected];
      for (const aid of fresh) {
        const a = await deps.alerts?.get(aid, '*');
        if (!a) throw new AppError(400, 'invalid_body', `alertIds: alert ${aid} not found`, { field: 'alertIds' });
        if (a.tenant !== incident.ownerTenant && !affected.some((x) => x.tenant === a.tenant)) affected.push({ tenant: a.tenant, applications: [], dataCategories: [], personsAffected: 0 });
      }
      if (!fresh.length) return incident;
      const saved = await store.save({ ...incident, alertIds: [...incident.alertIds, ...fresh], affected });
      await changed(saved, actor, 'incident.alerts_linked', `${fresh.length} alert(s) linked`, { alertIds: fresh });
      for (const aid of fresh) await deps.alerts!.update(aid, '*', { comment: `Linked to incident ${id}: ${incident.title}` }, actor);
      await recomputeClocks(saved, actor, 'alerts linked');
      return saved;
    },

    async addNote(id: string, text: string, actor: string): Promise<void> {
      const incident = await mustGet(id);
      await store.addTimeline(id, { actor, kind: 'note', summary: text });
      await audit.record(actor, 'incident.note_added', id, { owner: incident.ownerTenant });
      await store.touch(id);
    },

    async addTask(id: string, t: { title: string; assignee?: string | null; dueAt?: string | null }, actor: string): Promise<IncidentTask> {
      const incident = await mustGet(id);
      const task = await store.addTask({
        id: randomUUID(), incidentId: id, title: t.title, assignee: t.assignee ?? null, dueAt: t.dueAt ? new Date(t.dueAt).toISOString() : null,
        done: false, doneAt: null, doneBy: null, createdAt: new Date(now()).toISOString(), createdBy: actor,
      });
      await changed(incident, actor, 'incident.task_added', `task added: ${task.title}${task.assignee ? ` → ${task.assignee}` : ''}`, { task: task.id, assignee: task.assignee, dueAt: task.dueAt });
      await store.touch(id);
      return task;
    },

    async updateTask(id: string, taskId: string, patch: { title?: string; assignee?: string | null; dueAt?: string | null; done?: boolean }, actor: string): Promise<IncidentTask> {
      const incident = await mustGet(id);
      const before = (await store.tasks(id)).find((t) => t.id === taskId);
      if (!before) throw new AppError(404, 'not_found', `task ${taskId} not found`, { field: 'taskId' });
      const after: IncidentTask = {
        ...before,
        ...(patch.title !== undefined ? { title: patch.title } : {}),
        ...(patch.assignee !== undefined ? { assignee: patch.assignee } : {}),
        ...(patch.dueAt !== undefined ? { dueAt: patch.dueAt ? new Date(patch.dueAt).toISOString() : null } : {}),
      };
      if (patch.done !== undefined && patch.done !== before.done)
        Object.assign(after, patch.done ? { done: true, doneAt: new Date(now()).toISOString(), doneBy: actor } : { done: false, doneAt: null, doneBy: null });
      await store.saveTask(after);
      const what = patch.done !== undefined && patch.done !== before.done ? (patch.done ? 'done' : 'reopened') : 'changed';
      await changed(incident, actor, 'incident.task_changed', `task ${what}: ${after.title}`, { task: taskId, ...patch });
      await store.touch(id);
      return after;
    },

    /** Records the classification aids' answers with who and when, and re-derives the clocks. */
    async classify(id: string, input: ClassifyInput, actor: string): Promise<Incident> {
      await mustGet(id);
      const criteriaMet = significantCriteria(input.answers, policy.classification);
      const suggested = criteriaMet.length > 0;
      const significant = input.significant ?? suggested;
      if (significant !== suggested && !input.overrideReason?.trim())
        throw new AppError(400, 'invalid_body', `overrideReason: the aid suggests ${suggested ? 'significant' : 'not significant'}; say why you decide otherwise`, { field: 'overrideReason' });
      if (!input.answers.personalDataReasoning.trim()) throw new AppError(400, 'invalid_body', 'answers.personalDataReasoning: give the reasoning', { field: 'answers.personalDataReasoning' });
      const classification: Classification = {
        answers: input.answers, criteriaMet, suggestedSignificant: suggested, significant,
        ...(input.overrideReason?.trim() ? { overrideReason: input.overrideReason.trim() } : {}),
        by: actor, at: new Date(now()).toISOString(),
      };
      const { before, saved } = await store.locked(id, async (tx) => {
        const before = (await tx.get(id))!;
        return { before, saved: await tx.save({ ...before, classification, significant, personalDataBreach: input.answers.personalDataBreach, crossBorder: input.answers.crossBorder }) };
      });
      const word = (b: boolean) => (b ? 'yes' : 'no');
      await changed(saved, actor, 'incident.classified',
        `classified: significant ${word(significant)}${criteriaMet.length ? ` (${criteriaMet.join(', ')})` : ''}, personal data breach ${word(input.answers.personalDataBreach)}, cross-border ${word(input.answers.crossBorder)}`,
        { classification, previously: before.classification ? { significant: before.significant, personalDataBreach: before.personalDataBreach, crossBorder: before.crossBorder } : null });
      await recomputeClocks(saved, actor, 'classification changed');
      return saved;
    },

    async draft(id: string, kind: NoticeKind, lang: 'lv' | 'en', audience: string | null, actor: string): Promise<Notice> {
      const incident = await mustGet(id);
      return insertDraft(incident, kind, lang, checkAudience(incident, kind, audience), actor);
    },

    /**
     * Fan-out: one processor → controller draft per affected municipality without one yet, each with that
     * municipality's own applications, data categories and counts.
     */
    async fanOut(id: string, lang: 'lv' | 'en', actor: string): Promise<Notice[]> {
      const incident = await mustGet(id);
      if (incident.ownerTenant !== policy.processorTenant) throw new AppError(409, 'not_applicable', `only an incident of the processor (${policy.processorTenant}) fans out to controllers`, { field: 'id' });
      const existing = new Set((await store.notices(id)).filter((n) => n.kind === 'gdpr-processor-to-controller').map((n) => n.audience));
      const out: Notice[] = [];
      for (const a of incident.affected) {
        if (a.tenant === incident.ownerTenant || existing.has(a.tenant)) continue;
        out.push(await insertDraft(incident, 'gdpr-processor-to-controller', lang, a.tenant, actor));
      }
      return out;
    },

    async editNotice(id: string, noticeId: string, patch: { content?: NoticeContent; recipients?: string[]; lang?: 'lv' | 'en'; channel?: string }, actor: string): Promise<Notice> {
      const incident = await mustGet(id);
      const n = await mustNotice(id, noticeId);
      if (n.status === 'sent') throw new AppError(409, 'notice_sent', 'a sent notice is not changed: draft a new one', { field: 'noticeId' });
      const lang = patch.lang ?? n.lang;
      const content = patch.content ?? (patch.lang && patch.lang !== n.lang ? draftNotice({ incident, kind: n.kind, lang, audience: n.audience, policy, tenantName: deps.tenantName, notificationSentAt: await notificationSentAt(id) }) : n.content);
      // Any change after a review sends the notice back to draft: what is sent is what was reviewed.
      const saved = await store.saveNotice({
        ...n, lang, content, recipients: patch.recipients ?? n.recipients, channel: patch.channel ?? n.channel,
        status: 'draft', reviewedAt: null, reviewedBy: null, reviewNote: null, updatedAt: new Date(now()).toISOString(), updatedBy: actor,
      });
      await changed(incident, actor, 'incident.notice_edited', `notice ${n.kind} edited${n.status === 'approved' ? ' (back to draft)' : ''}`, { notice: n.id, contentHash: saved.contentHash }, n.audience);
      return saved;
    },

    async reviewNotice(id: string, noticeId: string, decision: 'approve' | 'reject', note: string | undefined, actor: string): Promise<Notice> {
      const incident = await mustGet(id);
      const n = await mustNotice(id, noticeId);
      if (n.status === 'sent') throw new AppError(409, 'notice_sent', 'the notice was already sent', { field: 'noticeId' });
      const at = new Date(now()).toISOString();
      const saved = await store.saveNotice(decision === 'approve'
        ? { ...n, status: 'approved', reviewedAt: at, reviewedBy: actor, reviewNote: note ?? null }
        : { ...n, status: 'draft', reviewedAt: at, reviewedBy: actor, reviewNote: note ?? null });
      await changed(incident, actor, decision === 'approve' ? 'incident.notice_approved' : 'incident.notice_rejected', `notice ${n.kind} ${decision === 'approve' ? 'approved' : 'sent back'}${note ? `: ${note}` : ''}`,
        { notice: n.id, contentHash: saved.contentHash }, n.audience);
      return saved;
    },

    /** Sends an approved notice through the outbox; the clock stops when the outbox reports it delivered. */
    async sendNotice(id: string, noticeId: string, actor: string): Promise<Sending> {
      const incident = await mustGet(id);
      const n = await mustNotice(id, noticeId);
      // Sent again only when every earlier sending of this content died (the outbox gave up): see `live` below.
      if (n.status !== 'approved' && n.status !== 'sent') throw new AppError(409, 'not_reviewed', `the notice is ${n.status}: it is sent only after a review approved it`, { field: 'noticeId' });
      if (!n.recipients.length) throw new AppError(400, 'invalid_body', 'recipients: the notice has no recipient; edit it first', { field: 'recipients' });
      if (!outbox) throw new AppError(503, 'delivery_unavailable', 'delivery is not configured: record the sending made by other means instead');
      if (n.channel !== 'email' && n.channel !== 'webhook') throw new AppError(400, 'invalid_body', `channel: ${n.channel} is not delivered by Sargs; record it as sent by other means`, { field: 'channel' });
      const all = (await store.sendings(id)).filter((s) => s.noticeId === n.id);
      const prior = all.filter((s) => s.method === 'outbox');
      const hash = n.contentHash;
      const live = all.find((s) => s.contentHash === hash && s.state !== 'dead');
      if (live) throw new AppError(409, 'already_sent', `this notice was already sent (sending ${live.id}, ${live.state})`, { field: 'noticeId' });
      const attempt = prior.filter((s) => s.contentHash === hash).length + 1;
      const rec = await outbox.enqueue({
        key: `incident-notice:${n.id}:${hash.slice(0, 16)}:${attempt}`, channel: n.channel, to: n.recipients, subject: n.content.subject,
        ...(n.channel === 'email' ? { text: noticeText(n) } : { json: { incident: id, notice: n.id, kind: n.kind, lang: n.lang, audience: n.audience, contentHash: hash, content: n.content } }),
        tenant: n.audience ?? incident.ownerTenant, subjectRef: { kind: 'incident-notice', id: n.id },
      });
      const s = await recordSending(incident, n, {
        id: randomUUID(), noticeId: n.id, incidentId: id, method: 'outbox', sentBy: actor, sentAt: new Date(now()).toISOString(), recipients: n.recipients,
        channel: n.channel, contentHash: hash, reference: null, deliveryId: rec.id, state: SENDING_STATE[rec.state], deliveredAt: rec.deliveredAt ?? null, lastError: rec.lastError ?? null,
      }, actor);
      // The record may already be delivered (fast transport) before the sending row existed: catch up.
      const latest = await outbox.get(rec.id);
      if (latest && latest.state !== rec.state) await onDelivery(latest);
      else if (rec.state === 'delivered') await recomputeClocks(incident, 'sargs', `delivery ${rec.id} delivered`);
      return s;
    },

    /** Records a notice sent outside Sargs (CERT.LV's portal, DVI's e-form, registered letter): who, when, to whom, channel, hash. */
    async recordSentElsewhere(id: string, noticeId: string, r: { sentAt: string; channel: string; to: string[]; reference?: string }, actor: string): Promise<Sending> {
      const incident = await mustGet(id);
      const n = await mustNotice(id, noticeId);
      if (n.status !== 'approved' && n.status !== 'sent') throw new AppError(409, 'not_reviewed', `the notice is ${n.status}: record its sending after a review approved it`, { field: 'noticeId' });
      const sentAt = new Date(r.sentAt);
      if (sentAt.getTime() > now() + 5 * 60_000) throw new AppError(400, 'invalid_body', 'sentAt: must not be in the future', { field: 'sentAt' });
      return recordSending(incident, n, {
        id: randomUUID(), noticeId: n.id, incidentId: id, method: 'other', sentBy: actor, sentAt: sentAt.toISOString(), recipients: r.to, channel: r.channel,
        contentHash: n.contentHash, reference: r.reference ?? null, deliveryId: null, state: 'recorded', deliveredAt: null, lastError: null,
      }, actor);
    },

    notice: mustNotice,

    async detail(id: string) {
      const incident = await mustGet(id);
      const t = now();
      const [tasks, clocks, notices, sendings, timeline, escalations] = await Promise.all([
        store.tasks(id), store.clocks(id), store.notices(id), store.sendings(id), store.timeline(id), store.escalations(id),
      ]);
      return { incident, tasks, clocks: clocks.map((c) => viewClock(c, t, policy.escalation.steps)), notices, sendings, timeline, escalations };
    },

    async list(q: { tenants: string[] | '*'; status?: string; limit?: number }) {
      const incidents = await store.list(q);
      const clocks = await store.clocksOf(incidents.map((i) => i.id));
      const t = now();
      return incidents.map((incident) => ({ incident, clocks: (clocks.get(incident.id) ?? []).map((c) => viewClock(c, t, policy.escalation.steps)) }));
    },

    /**
     * The escalation job (run every escalation.intervalSeconds on the JobQueue): for each running clock, the steps
     * its share of time has reached are recorded once per clock, due time and step; the highest new step is sent
     * to the tenant's on-call person (and deputy, as the step says) through the outbox. Everything is derived from
     * the stored clocks, so a restart or a lost queue never loses a due reminder. Idempotent: the outbox key and the
     * escalation row are natural keys, enqueued before recorded, so a crash in between sends once on the next run.
     */
    async escalate(): Promise<number> {
      if (!outbox) return 0;
      const t = now();
      let sent = 0;
      const done = new Set((await Promise.all([...new Set((await store.runningClocks()).map((c) => c.incidentId))].map((id) => store.escalations(id))))
        .flat().map((e) => `${e.clockKey}|${e.dueAt}|${e.step}`));
      for (const c of await store.runningClocks()) {
        const start = Date.parse(c.startsAt!);
        const due = Date.parse(c.dueAt!);
        const used = due > start ? (t - start) / (due - start) : 1;
        const top = stepReached(used, policy.escalation.steps);
        if (!top) continue;
        const reached = policy.escalation.steps.filter((s) => s.at <= top.at);
        const fresh = reached.filter((s) => !done.has(`${c.key}|${c.dueAt}|${s.name}`));
        if (!fresh.length) continue;
        const oc = policy.onCallFor(c.tenant);
        const to = [...new Set(top.notify.map((w) => (w === 'on-call' ? oc.onCall.email : oc.deputy.email)))];
        const key = `incident-escalation:${c.incidentId}:${c.key}:${due}:${top.name}`;
        const topIsFresh = fresh.includes(top);
        if (topIsFresh) {
          const left = due - t;
          const leftText = left >= 0 ? `${Math.floor(left / 3_600_000)} h ${Math.floor((left % 3_600_000) / 60_000)} min left / atlikušas` : `overdue by / nokavēts par ${Math.floor(-left / 3_600_000)} h ${Math.floor((-left % 3_600_000) / 60_000)} min`;
          await outbox.enqueue({
            key, channel: 'email', to, tenant: c.tenant, subjectRef: { kind: 'incident-escalation', id: c.incidentId },
            subject: `[Sargs] ${top.name}: ${c.obligation} — ${c.title} (termiņš / due ${rigaText(c.dueAt!)})`,
            text: [
              `Incidents / Incident: ${c.title} (${c.incidentId})`,
              `Pienākums / Obligation: ${c.obligation} (${c.key})`,
              `Termiņš / Due: ${rigaText(c.dueAt!)} (Rīgas laiks / Riga time)`,
              leftText,
              `Solis / Step: ${top.name}`,
              `Dežurants / On call: ${oc.onCall.name}; vietnieks / deputy: ${oc.deputy.name}`,
            ].join('\n') + '\n',
          });
        }
        for (const s of fresh) {
          const mine = s === top;
          const recorded = await store.recordEscalation({ incidentId: c.incidentId, clockKey: c.key, dueAt: c.dueAt!, step: s.name, recipients: mine ? to : [], deliveryKey: mine ? key : null });
          if (!recorded) continue;
          if (mine) {
            sent++;
            await store.addTimeline(c.incidentId, { actor: 'sargs', kind: 'escalation', summary: `escalation ${s.name} of ${c.key} sent to ${to.join(', ')}`, tenant: c.tenant, details: { clock: c.key, step: s.name, dueAt: c.dueAt, to, deliveryKey: key } });
            await audit.record('sargs', 'incident.escalated', c.incidentId, { clock: c.key, step: s.name, to });
          }
        }
      }
      return sent;
    },
  };
  return service;
}

export type IncidentService = ReturnType<typeof createIncidentService>;
