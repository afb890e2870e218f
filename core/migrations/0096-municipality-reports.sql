-- Monthly municipality reports (issue 5): on the first Latvian working day of a month, the previous month's
-- municipality view (who from other organisations read the municipality's residents' data) is built for every
-- municipality and delivered to the holders of municipality-reviewer in that tenant.
-- Inputs: rows written by api/municipality/monthly-reports.ts (the scheduler inserts a `pending` report per
-- municipality and month; the job stores the view and one delivery per reviewer). Outputs: the reports list and
-- report pages of the dashboard (api/municipality/municipality.routes.ts).
-- view holds aggregates only (organisations, applications, data categories, counts, outlier reasons): no person
-- pseudonyms, no user names. (tenant, month) and (tenant, month, user_id) make every build and every delivery
-- happen once, whatever restarts or repeated jobs (at-least-once job delivery) come in between.
CREATE TABLE municipality_reports (
  tenant                text        NOT NULL,
  month                 text        NOT NULL, -- YYYY-MM, Europe/Riga calendar month
  period_from           timestamptz NOT NULL,
  period_to             timestamptz NOT NULL,
  state                 text        NOT NULL DEFAULT 'pending',
  view                  jsonb,
  accesses              integer,
  outlier_organizations integer,
  created_at            timestamptz NOT NULL DEFAULT now(),
  built_at              timestamptz,
  PRIMARY KEY (tenant, month),
  CONSTRAINT municipality_reports_state CHECK (state IN ('pending', 'built')),
  CONSTRAINT municipality_reports_month CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$')
);
CREATE INDEX municipality_reports_pending ON municipality_reports (state) WHERE state = 'pending';

-- channel: dashboard = listed for the reviewer on the municipality page | email = also handed to the outbox
-- (core/delivery), outbox_key its idempotency key.
CREATE TABLE municipality_report_deliveries (
  tenant       text        NOT NULL,
  month        text        NOT NULL,
  user_id      text        NOT NULL,
  channel      text        NOT NULL,
  email        text,
  outbox_key   text,
  delivered_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, month, user_id),
  FOREIGN KEY (tenant, month) REFERENCES municipality_reports (tenant, month) ON DELETE CASCADE,
  CONSTRAINT municipality_report_deliveries_channel CHECK (channel IN ('dashboard', 'email'))
);
