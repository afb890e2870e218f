import type { SqlClient } from '../../core/sql/sql-client';

/** Where the tailer stands in one file: every line before `offset` was acknowledged by the intake sink. */
export interface Checkpoint {
  /** Path the offset was read from (the rotated name while an old file is being finished). */
  path: string;
  /** `dev:ino` of that file, so a rotated or replaced file is told from the one the offset belongs to. */
  inode: string;
  /** First byte not yet acknowledged. */
  offset: number;
  /** SHA-256 hex of the file's first line (up to 1 KiB), `''` before a first line is complete. */
  fingerprint: string;
}

/** Durable positions of the file tailer, keyed by the configured file id. */
export interface CheckpointStore {
  get(id: string): Promise<Checkpoint | undefined>;
  set(id: string, cp: Checkpoint): Promise<void>;
}

interface Row {
  path: string;
  inode: string;
  byte_offset: number | string | bigint;
  fingerprint: string;
}

/**
 * Checkpoints in the `tail_checkpoints` table (core/migrations/0010-tail-checkpoints.sql), on PGlite or Postgres.
 *
 * @example
 * const tailer = createFileTailer({ files, sink, checkpoints: createSqlCheckpointStore(sql) });
 */
export function createSqlCheckpointStore(sql: SqlClient): CheckpointStore {
  return {
    async get(id) {
      const { rows } = await sql.query<Row>(
        'SELECT path, inode, byte_offset, fingerprint FROM tail_checkpoints WHERE id = $1',
        [id],
      );
      const r = rows[0];
      if (!r) return undefined;
      return { path: r.path, inode: r.inode, offset: Number(r.byte_offset), fingerprint: r.fingerprint };
    },
    async set(id, cp) {
      await sql.query(
        `INSERT INTO tail_checkpoints (id, path, inode, byte_offset, fingerprint, updated_at)
         VALUES ($1, $2, $3, $4, $5, now())
         ON CONFLICT (id) DO UPDATE SET path = EXCLUDED.path, inode = EXCLUDED.inode,
           byte_offset = EXCLUDED.byte_offset, fingerprint = EXCLUDED.fingerprint, updated_at = now()`,
        [id, cp.path, cp.inode, cp.offset, cp.fingerprint],
      );
    },
  };
}
