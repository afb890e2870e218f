import client from 'prom-client';

/**
 * Prometheus metrics of one Sargs process (`GET /metrics`). One registry per process (tests create several).
 */
export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'sargs_process_' });
  const received = new client.Counter({
    name: 'sargs_events_received_total',
    help: 'Records received, by transport',
    labelNames: ['transport'] as const,
    registers: [registry],
  });
  const stored = new client.Counter({
    name: 'sargs_events_stored_total',
    help: 'Events written to the event store (directly or by spool replay)',
    registers: [registry],
  });
  const duplicates = new client.Counter({
    name: 'sargs_events_duplicate_total',
    help: 'Events already stored (re-delivery), not stored again',
    registers: [registry],
  });
  const deadLettered = new client.Counter({
    name: 'sargs_events_dead_lettered_total',
    help: 'Records sent to the dead-letter store, by transport',
    labelNames: ['transport'] as const,
    registers: [registry],
  });
  const spooled = new client.Counter({
    name: 'sargs_events_spooled_total',
    help: 'Events written to the disk spool while the event store was unavailable',
    registers: [registry],
  });
  const spoolDepth = new client.Gauge({ name: 'sargs_spool_depth_events', help: 'Events waiting in the disk spool', registers: [registry] });
  const spoolBytes = new client.Gauge({ name: 'sargs_spool_bytes', help: 'Bytes in the disk spool', registers: [registry] });
  const rejectedFull = new client.Counter({
    name: 'sargs_intake_rejected_spool_full_total',
    help: 'Batches refused with 503 because the spool was full',
    registers: [registry],
  });
  const storeLatency = new client.Histogram({
    name: 'sargs_store_write_seconds',
    help: 'Latency of event store bulk writes',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return { registry, received, stored, duplicates, deadLettered, spooled, spoolDepth, spoolBytes, rejectedFull, storeLatency };
}

export type Metrics = ReturnType<typeof createMetrics>;
