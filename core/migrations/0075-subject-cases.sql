-- Subject-request cases (issue 5: GDPR Art. 12-22 requests of data subjects, handled by the controller's DPO).
-- Inputs: api/cases/case.service.ts through api/cases/case.store.ts (create, update, notes, decisions, attachments,
-- linked reports, extension, processor support, closure) and api/cases/case-reminders.ts (reminder scan).
-- Outputs: the case register and case pages (api/cases/case.routes.ts), reminder rows for delivery.
-- Person codes are never stored in clear: person_pseudonym is the keyed HMAC pseudonym (collector/pseudonymise.ts),
-- person_masked the form shown to people (e.g. 010190-*****). Deadlines are stored as instants (timestamptz), computed
-- with the Latvian calendar (core/calendar/working-days.ts) when the event that sets them is recorded.
CREATE TABLE subject_cases (
  id                      text PRIMARY KEY,
  reference               text        NOT NULL UNIQUE,
  tenant                  text        NOT NULL,
  request_right           text        NOT NULL,
  status                  text        NOT NULL,
  channel                 text,
  summary                 text,
  requester_name          text        NOT NULL,
  requester_contact       text,
  person_pseudonym        text,
  person_masked           text,
  identity_method         text,
  identity_verified_by    text,
  identity_verified_at    timestamptz,
  identity_note           text,
  received_at             timestamptz NOT NULL,
  answer_due_at           timestamptz NOT NULL,
  original_due_at         timestamptz NOT NULL,
  extension_months        integer,
  extension_reason        text,
  extension_notice_at     timestamptz,
  extension_notice_method text,
  extended_at             timestamptz,
  extended_by             text,
  processor_requested_at  timestamptz,
  processor_due_at        timestamptz,
  processor_provided_at   timestamptz,
  outcome                 text,
  closed_at               timestamptz,
  closed_by               text,
  closure_summary         text,
  created_at              timestamptz NOT NULL DEFAULT now(),
  created_by              text        NOT NULL,
  updated_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subject_cases_tenant_due ON subject_cases (tenant, status, answer_due_at);
CREATE INDEX subject_cases_received ON subject_cases (received_at DESC, id);
CREATE INDEX subject_cases_person ON subject_cases (person_pseudonym) WHERE person_pseudonym IS NOT NULL;

-- Per-controller, per-year case numbers for references (DSP-<tenant>-<year>-<n>).
CREATE TABLE subject_case_counters (
  tenant text    NOT NULL,
  year   integer NOT NULL,
  n      integer NOT NULL,
  PRIMARY KEY (tenant, year)
);

-- The case's own timeline: every change, note, decision and reminder, with who and when.
CREATE TABLE subject_case_entries (
  id      bigserial PRIMARY KEY,
  case_id text        NOT NULL REFERENCES subject_cases (id) ON DELETE CASCADE,
  at      timestamptz NOT NULL DEFAULT now(),
  actor   text        NOT NULL,
  kind    text        NOT NULL,
  text    text,
  details jsonb       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX subject_case_entries_case ON subject_case_entries (case_id, id);

-- Person access reports (api/reports) linked to a case.
CREATE TABLE subject_case_reports (
  case_id   text        NOT NULL REFERENCES subject_cases (id) ON DELETE CASCADE,
  report_id text        NOT NULL,
  linked_at timestamptz NOT NULL DEFAULT now(),
  linked_by text        NOT NULL,
  PRIMARY KEY (case_id, report_id)
);

-- Attachments in the database (letters, signed answers, identity evidence): content, its SHA-256 and size.
CREATE TABLE subject_case_attachments (
  id           text PRIMARY KEY,
  case_id      text        NOT NULL REFERENCES subject_cases (id) ON DELETE CASCADE,
  name         text        NOT NULL,
  content_type text        NOT NULL,
  size         integer     NOT NULL,
  sha256       text        NOT NULL,
  content      bytea       NOT NULL,
  added_at     timestamptz NOT NULL DEFAULT now(),
  added_by     text        NOT NULL
);
CREATE INDEX subject_case_attachments_case ON subject_case_attachments (case_id, added_at);

-- Reminders and overdue notices, one row per (case, deadline, due instant, offset): the primary key makes the
-- periodic scan idempotent across runs, instances and restarts; a moved deadline (extension) gets its own rows.
-- delivered_at stays null until a delivery channel (e-mail outbox) sends the row.
CREATE TABLE subject_case_reminders (
  case_id      text        NOT NULL REFERENCES subject_cases (id) ON DELETE CASCADE,
  deadline     text        NOT NULL,
  due_at       timestamptz NOT NULL,
  offset_label text        NOT NULL,
  tenant       text        NOT NULL,
  remind_at    timestamptz NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  PRIMARY KEY (case_id, deadline, due_at, offset_label)
);
CREATE INDEX subject_case_reminders_undelivered ON subject_case_reminders (tenant, recorded_at) WHERE delivered_at IS NULL;
