-- Incident cases, their legal clocks, notices and sendings (issue 6: incidents and notifications).
-- Inputs: api/incidents (incident.store.ts) from the incidents API, the escalation job and outbox state changes.
-- Outputs: the incident register read by /api/v1/incidents/** and the dashboard pages incidents.html / incident.html.
-- Times are UTC (timestamptz); the API shows them in Europe/Riga. No person codes: counts and categories only.
CREATE TABLE incidents (
  id               text PRIMARY KEY,
  title            text        NOT NULL,
  description      text        NOT NULL DEFAULT '',
  severity         text        NOT NULL,
  status           text        NOT NULL,
  -- the tenant that runs the case and reports it (zzdats as processor, or a municipality for its own incident)
  owner_tenant     text        NOT NULL,
  -- [{tenant, applications[], dataCategories[], personsAffected, records}] per affected tenant
  affected         jsonb       NOT NULL DEFAULT '[]',
  alert_ids        jsonb       NOT NULL DEFAULT '[]',
  -- what the notices need beyond the classification: indicators of compromise, root cause, mitigation,
  -- nature of the breach, likely consequences, measures, records affected (NIS2 Art. 23(4), GDPR Art. 33(3))
  facts            jsonb       NOT NULL DEFAULT '{}',
  aware_at         timestamptz NOT NULL,
  -- the answers of the classification aids with who and when (api/incidents/classification.ts)
  classification   jsonb,
  significant      boolean     NOT NULL DEFAULT false,
  personal_data    boolean     NOT NULL DEFAULT false,
  cross_border     boolean     NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL DEFAULT now(),
  created_by       text        NOT NULL,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incidents_updated ON incidents (updated_at DESC, id DESC);

-- Every tenant an incident concerns (owner and affected), for tenant-scoped lists.
CREATE TABLE incident_tenants (
  incident_id text NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  tenant      text NOT NULL,
  PRIMARY KEY (incident_id, tenant)
);
CREATE INDEX incident_tenants_tenant ON incident_tenants (tenant);

CREATE TABLE incident_tasks (
  id          text PRIMARY KEY,
  incident_id text        NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  title       text        NOT NULL,
  assignee    text,
  due_at      timestamptz,
  done        boolean     NOT NULL DEFAULT false,
  done_at     timestamptz,
  done_by     text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text        NOT NULL
);
CREATE INDEX incident_tasks_incident ON incident_tasks (incident_id, created_at);

-- The timeline: every change, note, notice, sending and escalation. `tenant` set = only that tenant (and the
-- owner) sees the entry (e.g. the notice to one municipality).
CREATE TABLE incident_timeline (
  seq         bigserial PRIMARY KEY,
  incident_id text        NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text        NOT NULL,
  kind        text        NOT NULL,
  summary     text        NOT NULL,
  tenant      text,
  details     jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX incident_timeline_incident ON incident_timeline (incident_id, seq);

-- Clocks per obligation, derived from the case by api/incidents/clock-rules.ts and stored on every change.
-- key: nis2-early-warning | nis2-notification | nis2-final | gdpr-processor:<tenant> | gdpr-dvi:<tenant>
CREATE TABLE incident_clocks (
  incident_id text        NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  key         text        NOT NULL,
  obligation  text        NOT NULL,
  -- whose duty it is (and whose on-call is escalated to)
  tenant      text        NOT NULL,
  starts_at   timestamptz,
  due_at      timestamptz,
  stopped_at  timestamptz,
  stopped_by  text,
  active      boolean     NOT NULL DEFAULT true,
  PRIMARY KEY (incident_id, key)
);
CREATE INDEX incident_clocks_running ON incident_clocks (due_at) WHERE active AND stopped_at IS NULL;

CREATE TABLE incident_notices (
  id           text PRIMARY KEY,
  incident_id  text        NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  kind         text        NOT NULL,
  -- the addressed municipality (GDPR notices), null for CERT.LV notices
  audience     text,
  lang         text        NOT NULL,
  status       text        NOT NULL,
  content      jsonb       NOT NULL,
  recipients   jsonb       NOT NULL DEFAULT '[]',
  channel      text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   text        NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  updated_by   text        NOT NULL,
  reviewed_at  timestamptz,
  reviewed_by  text,
  review_note  text
);
CREATE INDEX incident_notices_incident ON incident_notices (incident_id, created_at);

-- Every sending of a notice: who, when, to whom, channel, SHA-256 of the content. method outbox = through
-- core/delivery (state follows the outbox record); other = recorded by hand (e.g. CERT.LV's portal).
CREATE TABLE incident_sendings (
  id           text PRIMARY KEY,
  notice_id    text        NOT NULL REFERENCES incident_notices (id) ON DELETE CASCADE,
  incident_id  text        NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  method       text        NOT NULL,
  sent_by      text        NOT NULL,
  sent_at      timestamptz NOT NULL,
  recipients   jsonb       NOT NULL,
  channel      text        NOT NULL,
  content_hash text        NOT NULL,
  reference    text,
  delivery_id  text UNIQUE,
  state        text        NOT NULL,
  delivered_at timestamptz,
  last_error   text
);
CREATE INDEX incident_sendings_incident ON incident_sendings (incident_id, sent_at);

-- Escalations sent, once per clock, due time and step (the job is idempotent on this key).
CREATE TABLE incident_escalations (
  incident_id  text        NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  clock_key    text        NOT NULL,
  due_at       timestamptz NOT NULL,
  step         text        NOT NULL,
  at           timestamptz NOT NULL DEFAULT now(),
  recipients   jsonb       NOT NULL,
  delivery_key text,
  PRIMARY KEY (incident_id, clock_key, due_at, step)
);
