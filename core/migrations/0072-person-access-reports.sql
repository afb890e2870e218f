-- Person access reports (issue 5, GDPR Art. 15 "who accessed this person's data").
-- Inputs: reports built and stored by api/reports/person-access.routes.ts (POST /api/v1/reports/person-access);
-- signed exports rendered on first download (api/reports/export) and kept, so a file and its .p7s always match.
-- Outputs: GET /api/v1/reports, GET /api/v1/reports/{id}.{json|csv|pdf}[.p7s] (api/reports/person-access.routes.ts);
-- subject-request cases link reports by id (subject_case_reports.report_id).
-- No clear person code anywhere: person is the keyed pseudonym; content is the report JSON (pseudonym and masked
-- code only) and content_sha256 its SHA-256.
CREATE TABLE person_access_reports (
  id                text PRIMARY KEY,
  controller        text        NOT NULL,  -- the municipality whose view it is, or '*' (ZZ Dats DPO)
  person            text        NOT NULL,  -- pseudonym pk_…
  period_from       timestamptz NOT NULL,
  period_to         timestamptz NOT NULL,
  generated_by      text        NOT NULL,  -- user name
  generated_by_org  text        NOT NULL,  -- the DPO's organisation (tenant)
  generated_at      timestamptz NOT NULL DEFAULT now(),
  reference         text,
  case_id           text,
  total             integer     NOT NULL,
  content           jsonb       NOT NULL,  -- the PersonAccessReport
  content_sha256    text        NOT NULL
);
CREATE INDEX person_access_reports_controller ON person_access_reports (controller, generated_at DESC);
CREATE INDEX person_access_reports_person ON person_access_reports (person, generated_at DESC);

-- One row per export handed out: the exact bytes and their detached CMS signature.
CREATE TABLE person_access_report_exports (
  report_id   text        NOT NULL REFERENCES person_access_reports (id) ON DELETE CASCADE,
  format      text        NOT NULL,  -- pdf | csv | json
  lang        text        NOT NULL,  -- lv | en
  file_name   text        NOT NULL,
  content_type text       NOT NULL,
  bytes       bytea       NOT NULL,
  sha256      text        NOT NULL,
  signature   bytea       NOT NULL,  -- DER, detached CMS SignedData
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (report_id, format, lang)
);
