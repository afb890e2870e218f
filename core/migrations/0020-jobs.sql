-- Durable state of the embedded job runner (core/jobs/sql-queue.ts), used when REDIS_URL is not set.
-- Inputs: rows inserted by SqlJobQueue.add(). Outputs: table sargs_jobs, read and updated by the runners of
-- every Sargs process sharing the database (claims use FOR UPDATE SKIP LOCKED on Postgres).
-- state: waiting (run_at in the future = delayed, also retries in backoff) | active (leased) | completed | failed
-- (dead letter, last_error holds the error of the last attempt).
-- lease_owner/lease_until: a claim token and its expiry. A runner renews the lease while its handler runs; a
-- lease that expired (the process died) is taken over by another runner: delivery is at-least-once.
-- data and last_error must not hold person codes in clear (callers pass pseudonymised references).
CREATE TABLE sargs_jobs (
  queue         text        NOT NULL,
  id            text        NOT NULL,
  name          text        NOT NULL,
  data          jsonb,
  state         text        NOT NULL DEFAULT 'waiting',
  run_at        timestamptz NOT NULL DEFAULT now(),
  attempts_made integer     NOT NULL DEFAULT 0,
  max_attempts  integer     NOT NULL DEFAULT 1,
  backoff_ms    integer     NOT NULL DEFAULT 0,
  stall_count   integer     NOT NULL DEFAULT 0,
  lease_owner   text,
  lease_until   timestamptz,
  last_error    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  PRIMARY KEY (queue, id),
  CHECK (state IN ('waiting', 'active', 'completed', 'failed'))
);
CREATE INDEX sargs_jobs_due ON sargs_jobs (queue, run_at) WHERE state = 'waiting';
CREATE INDEX sargs_jobs_leases ON sargs_jobs (queue, lease_until) WHERE state = 'active';
CREATE INDEX sargs_jobs_failed ON sargs_jobs (queue, finished_at DESC) WHERE state = 'failed';
