-- State of the platform itself (not events).
-- Inputs: none. Outputs: tables api_tokens, dead_letters, intake_sources.
-- api_tokens: secrets are never stored, only SHA-256 of the high-entropy token (compared in constant time).
CREATE TABLE api_tokens (
  id           text PRIMARY KEY,
  secret_hash  text NOT NULL,
  kind         text NOT NULL,            -- platform-admin | collector
  tenant       text NOT NULL,            -- a tenant id, or * for all
  source       text,                     -- collector tokens: the source they ship
  description  text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   text,
  expires_at   timestamptz,
  revoked_at   timestamptz,
  last_used_at timestamptz
);

-- Records that could not be parsed or mapped, with their reason. raw is pseudonymised before it is stored.
CREATE TABLE dead_letters (
  id          text PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now(),
  tenant      text,
  source      text NOT NULL,
  transport   text NOT NULL,
  parser      text NOT NULL,
  reason      text NOT NULL,
  field       text,
  raw         text NOT NULL
);
CREATE INDEX dead_letters_received ON dead_letters (received_at DESC);
CREATE INDEX dead_letters_tenant ON dead_letters (tenant, received_at DESC);

-- Audit trail of changes made through Sargs (who did what); tamper evidence comes in a later migration.
CREATE TABLE audit_log (
  id         bigserial PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  actor      text NOT NULL,
  action     text NOT NULL,
  target     text,
  details    jsonb NOT NULL DEFAULT '{}'::jsonb
);
