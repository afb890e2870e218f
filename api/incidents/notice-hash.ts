import { createHash } from 'node:crypto';
import type { Notice } from './incident.types';

/** JSON with object keys sorted at every level: the same content always gives the same bytes. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * SHA-256 (hex) of what a notice says and to whom: kind, language, addressed tenant, recipients, channel and the
 * content (subject and sections). Recorded with every sending, so a later dispute can be settled by the hash.
 */
export function noticeHash(n: Pick<Notice, 'kind' | 'lang' | 'audience' | 'recipients' | 'channel' | 'content' | 'incidentId' | 'id'>): string {
  const body = canonicalJson({ notice: n.id, incident: n.incidentId, kind: n.kind, lang: n.lang, audience: n.audience, recipients: n.recipients, channel: n.channel, content: n.content });
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

/** The notice as plain text (e-mail body, the hash's human view). */
export function noticeText(n: Pick<Notice, 'content'>): string {
  return [n.content.subject, '', ...n.content.sections.flatMap((s) => [s.heading, s.text, ''])].join('\n').trimEnd() + '\n';
}
