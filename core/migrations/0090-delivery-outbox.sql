-- The delivery outbox (issue 6, core/delivery/outbox.ts): every e-mail and webhook Sargs sends is first stored
-- here, then delivered by jobs on the JobQueue; this table, not the queue, is the truth about each message.
-- Inputs: Outbox.enqueue() (incident notices, case reminders, monthly reports); state changes by the delivery
-- worker. Outputs: table sargs_outbox (read by the worker, its sweeper and GET /api/v1/deliveries) and
-- sargs_outbox_attachments (e-mail attachments, bytea).
-- state: pending (new) -> sending (leased by one worker until lease_until) -> delivered | retrying (due again at
--   next_attempt_at) -> ... -> dead (no attempts left or a permanent refusal; raises alert sargs-delivery-dead).
--   A 'sending' row whose lease expired belongs to a worker that died: the sweeper hands it to a new worker.
-- key: the caller's idempotency key (unique: enqueueing a key twice stores and sends it once).
-- body: e-mail text or the exact webhook JSON body (serialised once, so a retry sends the same bytes).
-- content_hash: SHA-256 (hex) of what is sent (recipients, subject, body, attachment hashes).
CREATE TABLE sargs_outbox (
  id              text        PRIMARY KEY,
  key             text        NOT NULL UNIQUE,
  channel         text        NOT NULL,
  recipients      jsonb       NOT NULL,
  subject         text        NOT NULL,
  body            text        NOT NULL,
  tenant          text        NOT NULL,
  subject_kind    text,
  subject_id      text,
  state           text        NOT NULL DEFAULT 'pending',
  attempts        integer     NOT NULL DEFAULT 0,
  max_attempts    integer     NOT NULL,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_owner     text,
  lease_until     timestamptz,
  last_error      text,
  response        text,
  message_id      text        NOT NULL,
  content_hash    text        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  delivered_at    timestamptz,
  CHECK (channel IN ('email', 'webhook')),
  CHECK (state IN ('pending', 'sending', 'delivered', 'retrying', 'dead'))
);
CREATE INDEX sargs_outbox_due ON sargs_outbox (next_attempt_at) WHERE state IN ('pending', 'retrying');
CREATE INDEX sargs_outbox_leases ON sargs_outbox (lease_until) WHERE state = 'sending';
CREATE INDEX sargs_outbox_tenant ON sargs_outbox (tenant, created_at DESC);
CREATE INDEX sargs_outbox_subject ON sargs_outbox (subject_kind, subject_id, created_at DESC);

CREATE TABLE sargs_outbox_attachments (
  message_id   text    NOT NULL REFERENCES sargs_outbox (id) ON DELETE CASCADE,
  position     integer NOT NULL,
  file_name    text    NOT NULL,
  content_type text    NOT NULL,
  content      bytea   NOT NULL,
  PRIMARY KEY (message_id, position)
);
