-- The embedded event store (used when ELASTICSEARCH_URL is not set).
-- Inputs: ECS events from collector/intake.ts. Outputs: table events, queried by core/stores/sql-event-store.ts.
-- id is the deterministic event.id: ON CONFLICT (id) DO NOTHING makes re-delivery harmless.
CREATE TABLE events (
  id        text PRIMARY KEY,
  ts        timestamptz NOT NULL,
  tenant    text NOT NULL,
  app       text,
  dataset   text,
  user_name text,
  person    text,
  action    text,
  outcome   text,
  doc       jsonb NOT NULL
);
CREATE INDEX events_ts ON events (ts DESC, id DESC);
CREATE INDEX events_tenant_ts ON events (tenant, ts DESC, id DESC);
CREATE INDEX events_person_ts ON events (person, ts DESC) WHERE person IS NOT NULL;
CREATE INDEX events_user_ts ON events (user_name, ts DESC);
CREATE INDEX events_app_ts ON events (app, ts DESC);
