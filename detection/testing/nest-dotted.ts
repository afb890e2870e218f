import type { EcsEvent } from '../../core/types';

/** Dotted keys of a rule's test event (the loader may have nested some already) → a nested ECS document. */
export function nestDotted(flat: Record<string, unknown>): EcsEvent {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flat)) {
    const parts = k.startsWith('@') ? [k] : k.split('.');
    let o = out;
    for (const p of parts.slice(0, -1)) o = (o[p] ??= {}) as Record<string, unknown>;
    o[parts[parts.length - 1]!] = v;
  }
  return out as unknown as EcsEvent;
}
