-- The municipality view (issue 5): who from other organisations accessed a municipality's residents' data.
-- Inputs: table events (0002-events.sql). Outputs: an index for core/stores/sql-event-store.ts crossAccess() and
-- the subject-organisation drill-down of events: rows of one subject municipality in a period, in time order.
-- The expression must stay identical to the one the queries use (doc #>> '{vps,subject,organization}').
CREATE INDEX events_subject_org_ts ON events ((doc #>> '{vps,subject,organization}'), ts DESC)
  WHERE doc #>> '{vps,subject,organization}' IS NOT NULL;
