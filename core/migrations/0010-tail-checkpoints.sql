-- Positions of the file tailer (collector/tail/checkpoint-store.ts), one row per configured file id.
-- Inputs: none. Outputs: table tail_checkpoints.
-- A row is written only after the intake sink acknowledged every line before byte_offset, so a restart
-- resumes there and loses nothing; inode and fingerprint tell a rotated or truncated file from the same one.
CREATE TABLE tail_checkpoints (
  id          text PRIMARY KEY,                        -- file id from the tail configuration
  path        text NOT NULL,                           -- path the offset was read from (a rotated name while draining)
  inode       text NOT NULL,                           -- "dev:ino" of that file
  byte_offset bigint NOT NULL CHECK (byte_offset >= 0), -- first byte not yet acknowledged
  fingerprint text NOT NULL,                           -- sha256 hex of the first line ('' before one is complete)
  updated_at  timestamptz NOT NULL DEFAULT now()
);
