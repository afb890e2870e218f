import fs from 'node:fs';
import path from 'node:path';
import type { SqlClient } from './sql-client';

/** Folder of the SQL migrations: `NNNN-name.sql`, applied in file-name order, each once. */
export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', '..', 'core', 'migrations');

function migrationsDir(): string {
  // Compiled code runs from dist/core/sql; sources from core/sql (jest). Both find <repo>/core/migrations.
  const fromSource = path.resolve(__dirname, '..', 'migrations');
  return fs.existsSync(fromSource) ? fromSource : MIGRATIONS_DIR;
}

/**
 * Applies every migration not yet applied, in order, each in its own transaction. Safe to run from several
 * processes at once on Postgres (an advisory lock serialises them).
 */
export async function migrate(sql: SqlClient): Promise<string[]> {
  const dir = migrationsDir();
  const files = fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}-[a-z0-9-]+\.sql$/.test(f))
    .sort();
  const applied: string[] = [];
  await sql.transaction(async (tx) => {
    if (sql.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(5318008)');
    await tx.query(
      'CREATE TABLE IF NOT EXISTS sargs_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await tx.query<{ name: string }>('SELECT name FROM sargs_migrations')).rows.map((r) => r.name));
    for (const f of files) {
      if (done.has(f)) continue;
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      for (const stmt of splitStatements(text)) await tx.query(stmt);
      await tx.query('INSERT INTO sargs_migrations (name) VALUES ($1)', [f]);
      applied.push(f);
    }
  });
  return applied;
}

/** Splits a migration on semicolons at line ends (migrations hold no procedural bodies). */
function splitStatements(text: string): string[] {
  return text
    .replace(/^--.*$/gm, '')
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter(Boolean);
}
