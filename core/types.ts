/**
 * Domain types shared by the collector, the stores and the API.
 *
 * An event is stored as an Elastic Common Schema (ECS) document with VPS-specific fields under `vps.*`
 * (see ../shared/DOMAIN.md). Person codes never appear in a stored event: `vps.subject.person` holds the keyed
 * pseudonym computed by collector/pseudonymise.ts.
 */

/** An ECS event as stored. Nested objects, ECS field names. */
export interface EcsEvent {
  '@timestamp': string; // ISO 8601, UTC
  message?: string;
  event: {
    id: string; // deterministic: re-delivery of the same input gives the same id
    created?: string; // when Sargs received it
    ingested?: string;
    kind?: string;
    category?: string[];
    type?: string[];
    action?: string;
    outcome?: 'success' | 'failure' | 'unknown';
    code?: string;
    module?: string; // parser that produced it: oracle_audit, vps_audit, web_access, windows, ecs, syslog
    dataset?: string; // e.g. vps.audit, oracle.audit, visvaris.access
    original?: string; // raw text, pseudonymised
    [k: string]: unknown;
  };
  service?: { name?: string; [k: string]: unknown };
  organization?: { id?: string; name?: string; [k: string]: unknown };
  user?: { name?: string; id?: string; domain?: string; roles?: string[]; [k: string]: unknown };
  source?: { ip?: string; [k: string]: unknown };
  host?: { name?: string; [k: string]: unknown };
  vps: {
    tenant: string; // municipality / institution whose log this is (always known, or the event is rejected)
    subject?: { person?: string; organization?: string };
    data_category?: string;
    purpose?: string;
    record?: { id?: string };
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

/** One item as it arrived, before parsing. */
export interface RawRecord {
  /** The original text of the item (a log line, one NDJSON line, a syslog message). */
  raw: string;
  /** The item already decoded from JSON, when the transport carried JSON. */
  value?: unknown;
}

/** Which parser to use; `auto` recognises the source from the record's shape. */
export type ParserName = 'auto' | 'vps_audit' | 'oracle_audit' | 'web_access' | 'windows' | 'ecs' | 'syslog';

/** What the transport knows about where a record came from. */
export interface IntakeContext {
  /**
   * The tenant the sender is scoped to. `*` means a central collector allowed to send for any tenant: the
   * tenant then comes from the event itself (vps.tenant, or organization.id for application audit events).
   */
  tenant: string;
  /** A short name of the sending source (token's source, syslog host, tailed file id). */
  source: string;
  parser: ParserName;
  /** Transport name, for metrics: http, bulk, syslog-udp, syslog-tcp, file. */
  transport: string;
  /** Sender's address, when known. */
  remoteAddress?: string;
  /** When the record was received (ISO). Defaults to now. */
  receivedAt?: string;
}

export type ParseResult =
  | { ok: true; event: EcsEvent }
  | { ok: false; reason: string; field?: string };

/** The outcome of one item of an intake batch, in input order. */
export type ItemOutcome =
  | { status: 'created'; id: string }
  | { status: 'duplicate'; id: string }
  | { status: 'spooled'; id: string }
  | { status: 'rejected'; reason: string; field?: string; deadLetterId: string };

/** Where transports hand their records. Implemented by collector/intake.ts. */
export interface IntakeSink {
  /**
   * Parses, normalises, pseudonymises and durably stores a batch. Resolves only when every accepted event is in
   * the event store or the disk spool; rejected items are in the dead-letter store. Rejects with an AppError 503
   * when the spool is full (nothing of the batch is then acknowledged).
   */
  accept(records: RawRecord[], ctx: IntakeContext): Promise<ItemOutcome[]>;
}
