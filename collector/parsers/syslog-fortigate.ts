import { endpoint, int } from './parser-types';
import { fieldsToEpoch, isoFromEpoch } from './timestamp';

const KV = /([a-z_][a-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g;

/**
 * FortiGate log bodies (`date=2024-03-05 time=10:15:30 devname="FGT-RIGA" tz="+0200" logid="0000000013"
 * type="traffic" subtype="forward" srcip=10.1.1.5 dstip=… action="deny" …`), as FortiOS sends them over syslog.
 * Returns undefined for anything else. Pairs are kept under fortinet.firewall; the common ones are also mapped
 * to ECS (source/destination, observer, event.action).
 */
export function parseFortigateKv(message: string): { fields: Record<string, unknown>; timestamp?: string } | undefined {
  if (!message.startsWith('date=') || !message.includes(' devname=')) return undefined;
  const kv: Record<string, string> = {};
  let n = 0;
  for (const m of message.matchAll(KV)) {
    if (++n > 300) break;
    let v = m[2];
    if (v.startsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    kv[m[1]] = v;
  }
  let timestamp: string | undefined;
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(kv.date ?? '');
  const t = /^(\d{2}):(\d{2}):(\d{2})$/.exec(kv.time ?? '');
  if (d && t) {
    const tz = /^[+-]\d{4}$/.test(kv.tz ?? '') ? kv.tz : undefined;
    const epoch = fieldsToEpoch(+d[1], +d[2], +d[3], +t[1], +t[2], +t[3], 0, tz);
    if (epoch !== undefined) timestamp = isoFromEpoch(epoch);
  }
  const fields: Record<string, unknown> = { fortinet: { firewall: kv } };
  if (kv.devname) fields.observer = { name: kv.devname, vendor: 'Fortinet', product: 'FortiGate', serial_number: kv.devid };
  const src = endpoint(kv.srcip);
  if (src) fields.source = { ...src, port: int(kv.srcport) };
  const dst = endpoint(kv.dstip);
  if (dst) fields.destination = { ...dst, port: int(kv.dstport) };
  if (kv.action) fields.event = { kind: 'event', action: kv.action, category: ['network'] };
  return { fields, timestamp };
}
