-- Alerts and suppression rules (issue 4: detection and triage).
-- Inputs: detection hits recorded by detection/alerting.ts through core/stores/sql-alert-store.ts; triage changes
-- from api/alerts; suppression rules from api/alerts via core/stores/suppression-store.ts.
-- Outputs: table alerts (read by the triage API and dashboard), table alert_suppressions (matched by alerting).
-- id is deterministic (rule, tenant, group key, window start). No person codes here: evidence holds event ids.
CREATE TABLE alerts (
  id            text PRIMARY KEY,
  rule_id       text        NOT NULL,
  title         text        NOT NULL,
  level         text        NOT NULL,
  level_rank    integer     NOT NULL,
  tenant        text        NOT NULL,
  group_key     text        NOT NULL,
  entity        text,
  first_seen    timestamptz NOT NULL,
  last_seen     timestamptz NOT NULL,
  count         integer     NOT NULL,
  status        text        NOT NULL,
  assignee      text,
  suppressed_by text,
  doc           jsonb       NOT NULL
);
CREATE INDEX alerts_key ON alerts (rule_id, tenant, group_key, last_seen DESC);
CREATE INDEX alerts_last_seen ON alerts (last_seen DESC, id DESC);
CREATE INDEX alerts_tenant_last_seen ON alerts (tenant, last_seen DESC, id DESC);
CREATE TABLE alert_suppressions (
  id             text PRIMARY KEY,
  tenant         text        NOT NULL,
  rule_id        text        NOT NULL,
  entity_pattern text        NOT NULL,
  reason         text        NOT NULL,
  created_by     text        NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL
);
CREATE INDEX alert_suppressions_expiry ON alert_suppressions (expires_at);
