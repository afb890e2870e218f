/**
 * `sargs rules watchlist add|list|remove`: the watch list of the `sargs.watchlist` detection pseudo-field.
 * Person codes are read from standard input (one a line, never from the command line, where process listings and
 * shell history would keep them), validated and pseudonymised with the deployment's key; only the pseudonym is
 * stored, and neither is logged. Every change is audited.
 */
import { parseArgs } from 'node:util';
import { AppError } from '../core/errors';
import { createSqlWatchlistStore } from '../core/stores/watchlist-store';
import type { Runtime } from './runtime';

type WithRuntime = <T>(fn: (rt: Runtime) => Promise<T>) => Promise<T>;

export interface WatchlistCliIo {
  print(line: string): void;
  fail(line: string): void;
  /** Standard input as text (person codes). */
  readInput(): Promise<string>;
}

const defaultIo: WatchlistCliIo = {
  print: (l) => console.log(l),
  fail: (l) => console.error(l),
  readInput: async () => {
    if (process.stdin.isTTY) console.error('Person codes, one a line; end with Ctrl-D:');
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

const USAGE = `usage: sargs rules watchlist add --list NAME [--tenant T] [--user U] [--note TEXT] < codes.txt
       sargs rules watchlist list [--tenant T] [--json]
       sargs rules watchlist remove ID`;

/** Runs the command; resolves with the exit code. */
export async function rulesWatchlist(args: string[], withRuntime: WithRuntime, io: WatchlistCliIo = defaultIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'add') {
    const { values, positionals } = parseArgs({
      args: rest, allowPositionals: true, strict: true,
      options: { list: { type: 'string' }, tenant: { type: 'string', default: '*' }, user: { type: 'string' }, note: { type: 'string', default: '' } },
    });
    if (positionals.length) {
      io.fail('sargs rules watchlist add: person codes are read from standard input, not from the command line (they would stay in shell history)');
      return 2;
    }
    if (!values.list) {
      io.fail(`sargs rules watchlist add: --list is required\n${USAGE}`);
      return 2;
    }
    const lines = (await io.readInput()).split(/\r?\n/).map((l) => l.trim());
    return withRuntime(async (rt) => {
      if (values.tenant !== '*' && !rt.ctx.tenants.has(values.tenant!)) {
        io.fail(`sargs rules watchlist add: unknown tenant '${values.tenant}' (see policies/tenants.yaml)`);
        return 2;
      }
      // all codes are checked before any is added: a typo adds nothing
      const pseudonyms: string[] = [];
      const problems: string[] = [];
      lines.forEach((l, i) => {
        if (!l || l.startsWith('#')) return;
        try {
          pseudonyms.push(rt.ctx.pseudonymiser.person(l));
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          problems.push(`line ${i + 1}: ${err.message}`); // the reason, never the code
        }
      });
      if (problems.length) {
        for (const p of problems) io.fail(`sargs rules watchlist add: ${p}`);
        io.fail('sargs rules watchlist add: nothing added');
        return 2;
      }
      if (!pseudonyms.length) {
        io.fail('sargs rules watchlist add: no person code on standard input');
        return 2;
      }
      const store = createSqlWatchlistStore(rt.sql);
      const note = rt.ctx.pseudonymiser.scrubText(values.note!);
      let added = 0;
      for (const person of pseudonyms) {
        const { entry, created } = await store.add({ list: values.list!, person, tenant: values.tenant!, user: values.user, note, createdBy: 'cli' });
        if (!created) continue;
        added++;
        await rt.ctx.audit.record('cli', 'watchlist.added', `watchlist:${entry.id}`, { list: entry.list, tenant: entry.tenant, user: entry.user ?? null });
      }
      io.print(`${added} added to watch list '${values.list}' (${pseudonyms.length - added} already on it); stored as pseudonyms only.`);
      return 0;
    });
  }
  if (sub === 'list') {
    const { values } = parseArgs({ args: rest, strict: true, options: { tenant: { type: 'string' }, json: { type: 'boolean', default: false } } });
    return withRuntime(async (rt) => {
      const entries = await createSqlWatchlistStore(rt.sql).list(values.tenant ? [values.tenant] : '*');
      if (values.json) io.print(JSON.stringify(entries));
      else for (const e of entries) io.print(`${e.id}  ${e.list}  ${e.person}  tenant ${e.tenant}${e.user ? `  user ${e.user}` : ''}  ${e.createdAt}${e.note ? `  ${e.note}` : ''}`);
      return 0;
    });
  }
  if (sub === 'remove') {
    const { positionals } = parseArgs({ args: rest, strict: true, allowPositionals: true, options: {} });
    if (positionals.length !== 1) {
      io.fail(`sargs rules watchlist remove: give one entry id\n${USAGE}`);
      return 2;
    }
    return withRuntime(async (rt) => {
      const removed = await createSqlWatchlistStore(rt.sql).remove(positionals[0]!, '*');
      if (!removed) {
        io.fail(`sargs rules watchlist remove: no entry '${positionals[0]}'`);
        return 1;
      }
      await rt.ctx.audit.record('cli', 'watchlist.removed', `watchlist:${removed.id}`, { list: removed.list, tenant: removed.tenant });
      io.print(`removed ${removed.id} from watch list '${removed.list}'`);
      return 0;
    });
  }
  io.fail(`sargs rules watchlist: expected add, list or remove\n${USAGE}`);
  return 2;
}
