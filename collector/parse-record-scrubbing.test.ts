import { loadTenants } from '../core/tenants';
import type { EcsEvent, IntakeContext, ParseResult } from '../core/types';
import { parseRecord } from './parse-record';
import { legacyCheckDigit, personCodeDigitsProblem } from './person-code';
import { createPseudonymiser } from './pseudonymise';

/**
 * parseRecord skips the scrubbing walk over a JSON record when its raw text shows that the walk would find nothing
 * (collector/parse-record.ts, needsScrub). Property: on many generated records with person codes in every place a
 * code can hide (nested fields, arrays, keys, after JSON escapes, spelled with \u escapes, next to the VPS audit
 * `person` and ECS `vps.subject.person` fields the parsers pseudonymise themselves), the stored event is the one
 * the always-walking path gives, and a further walk finds nothing.
 */

const pseudonymiser = createPseudonymiser(Buffer.alloc(32, 5));
const tenants = loadTenants().ids;
const NOW = new Date('2024-03-05T12:00:00.000Z');
const ctx: IntakeContext = { tenant: 'riga', source: 'test', parser: 'auto', transport: 'http', receivedAt: '2024-03-05T11:59:59.000Z' };
// Default: JSON records keep no event.original, so the shortcut applies. 'all' keeps it, which always walks.
const shortcut = { pseudonymiser, tenants, now: () => NOW };
const walking = { ...shortcut, keepOriginal: 'all' as const };

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function legacyCode(r: () => number, valid: boolean): string {
  for (;;) {
    const base = `${String(1 + Math.floor(r() * 28)).padStart(2, '0')}${String(1 + Math.floor(r() * 12)).padStart(2, '0')}${String(Math.floor(r() * 100)).padStart(2, '0')}${Math.floor(r() * 3)}${String(Math.floor(r() * 1000)).padStart(3, '0')}`;
    const c = legacyCheckDigit(base);
    if (c < 10) return base + (valid ? c : (c + 1) % 10);
  }
}

/** A code as it may be written: legacy or new, with or without the hyphen, sometimes with a wrong check digit. */
function someCode(r: () => number): string {
  const x = r();
  const digits = x < 0.3 ? `32${String(Math.floor(r() * 1e9)).padStart(9, '0')}` : legacyCode(r, x < 0.85);
  return r() < 0.6 ? `${digits.slice(0, 6)}-${digits.slice(6)}` : digits;
}

/** Text around a code: plain, glued to letters or digits (not a code), or after characters JSON escapes. */
function someText(r: () => number, code: string): string {
  const before = ['viewed ', 'pk=', 'A', '7', '\n', '\t', '"', '\\', '/', 'ā ', ''][Math.floor(r() * 11)];
  const after = [' ok', '.', 'x', '9', '\n', '"', '', '-1'][Math.floor(r() * 8)];
  return before + code + after;
}

/** A JSON object text, with some digits written as \u escapes. */
function jsonText(r: () => number, value: unknown): string {
  const s = JSON.stringify(value);
  return r() < 0.15 ? s.replace(/\d/g, (d) => (r() < 0.5 ? `\\u003${d}` : d)) : s;
}

function generate(n: number): string[] {
  const r = rng(2024);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const code = someCode(r);
    const text = someText(r, code);
    const kind = r();
    if (kind < 0.4) {
      // VPS audit: the person field (valid codes only: others are refused), plus maybe a code elsewhere.
      const person = r() < 0.8 ? legacyCode(r, true) : undefined;
      const v: Record<string, unknown> = {
        ts: '2024-03-05T10:15:30.123Z', app: 'SOPA', org: 'riga', user: r() < 0.1 ? text : `user${i}`, action: 'view',
        category: 'residence', record_id: r() < 0.1 ? code : `R-${i}`, session: `s${Math.floor(r() * 1e6)}`,
      };
      if (person) v.person = r() < 0.5 ? `${person.slice(0, 6)}-${person.slice(6)}` : person;
      if (r() < 0.3) v.message = text;
      if (r() < 0.2) v.purpose = person && r() < 0.5 ? `case of ${person}` : text;
      out.push(jsonText(r, v));
    } else if (kind < 0.8) {
      // ECS: codes in nested fields, arrays, keys and numbers.
      // The subject's code, where shippers put it (the ECS parser pseudonymises a valid one itself), or not.
      const subject = r() < 0.6 ? { subject: { person: r() < 0.8 ? someCode(r) : ` ${someCode(r)}` } } : {};
      const v: Record<string, unknown> = { '@timestamp': '2024-03-05T10:15:30Z', event: { action: 'x' }, vps: { tenant: 'riga', ...subject } };
      const where = Math.floor(r() * 6);
      if (where === 0) v.message = text;
      if (where === 1) v.labels = { deep: { deeper: [1, text, { t: text }] } };
      if (where === 2) v.labels = { [code]: 'value' };
      if (where === 3) v.url = { original: `/api/persons/${code}?q=${code}` };
      if (where === 4) v.numbers = { n: Number(code.replace('-', '')) };
      if (where === 5) v.tags = [text, 'plain'];
      out.push(jsonText(r, v));
    } else {
      // Winlogbeat: a code in the event data.
      out.push(jsonText(r, {
        '@timestamp': '2024-03-05T10:15:30.000Z',
        winlog: { channel: 'Security', event_id: 4624, record_id: 1000 + i, provider_name: 'Microsoft-Windows-Security-Auditing', event_data: { TargetUserName: text, IpAddress: '10.0.0.1' } },
      }));
    }
  }
  return out;
}

const event = (r: ParseResult): EcsEvent | string => (r.ok ? r.event : `rejected: ${r.reason}`);

describe('the scrubbing shortcut of JSON records', () => {
  const records = generate(3000);

  it('gives the same stored event as the always-walking path, on 3,000 generated records', () => {
    let skipped = 0;
    for (const raw of records) {
      const fast = event(parseRecord({ raw }, ctx, shortcut));
      const slow = event(parseRecord({ raw }, ctx, walking));
      if (typeof slow !== 'string') delete slow.event.original;
      if (JSON.stringify(fast) !== JSON.stringify(slow)) expect({ raw, event: fast }).toEqual({ raw, event: slow });
      if (typeof fast !== 'string' && !raw.includes('\\') && /\d{6}-?\d{5}/.test(raw)) skipped++;
    }
    // The generator does reach the shortcut with codes in the raw text (VPS audit and ECS subject fields).
    expect(skipped).toBeGreaterThan(600);
  });

  it('leaves nothing for a further walk to find, in values or keys', () => {
    for (const raw of records) {
      const r = parseRecord({ raw }, ctx, shortcut);
      if (!r.ok) continue;
      const again = structuredClone(r.event);
      pseudonymiser.scrubInPlace(again);
      if (JSON.stringify(again) !== JSON.stringify(r.event)) expect({ raw, event: again }).toEqual({ raw, event: r.event });
      // Strings and keys only: a JSON number is left as it is, by either path (a bare number may be any id).
      const json = JSON.stringify(r.event, (_k, v: unknown) => (typeof v === 'number' ? 0 : v));
      const bare = (json.match(/\b\d{11}\b/g) ?? []).filter((d) => personCodeDigitsProblem(d) === undefined);
      const clear = [...(json.match(/\b\d{6}-\d{5}\b/g) ?? []), ...bare];
      if (clear.length) expect({ raw, clear }).toEqual({ raw, clear: [] });
    }
  });

  it('walks a VPS audit record whose code appears besides the person field', () => {
    const raw = JSON.stringify({ ts: '2024-03-05T10:15:30Z', app: 'SOPA', org: 'riga', user: 'u', action: 'view', person: '161175-19997', message: 'about 161175-19997' });
    const r = parseRecord({ raw }, ctx, shortcut);
    expect(r.ok && r.event.message).toBe(`about ${pseudonymiser.person('161175-19997')}`);
  });
});
