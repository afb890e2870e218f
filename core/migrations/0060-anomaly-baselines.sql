-- Anomaly baselines (issue 4: anomaly rules, rules/README.md "Anomaly rules").
-- Inputs: changes (BaselineDelta) flushed by detection/anomaly/anomaly-state.ts through
-- core/stores/sql-baseline-store.ts, from every collector instance.
-- Outputs: table anomaly_baselines, read back by the same store before a batch of events is evaluated.
-- One row per (rule, entity): first and last seen, Welford statistics of the entity's non-empty buckets, the
-- open bucket. Times are UTC milliseconds. entity_key holds the rule's group-by values (user names, tenants),
-- never a person code.
CREATE TABLE anomaly_baselines (
  rule_id        text             NOT NULL,
  entity_key     text             NOT NULL,
  first_seen     bigint           NOT NULL,
  last_seen      bigint           NOT NULL,
  n              integer          NOT NULL,
  mean           double precision NOT NULL,
  m2             double precision NOT NULL,
  bucket_start   bigint           NOT NULL,
  bucket_count   integer          NOT NULL,
  alerted_bucket bigint           NOT NULL,
  updated_at     timestamptz      NOT NULL DEFAULT now(),
  PRIMARY KEY (rule_id, entity_key)
);
