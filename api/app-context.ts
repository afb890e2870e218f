import type { Logger } from 'pino';
import type { Config } from '../core/config';
import type { Metrics } from '../core/metrics';
import type { AuditLog } from '../core/stores/audit-log';
import type { DeadLetterStore } from '../core/stores/dead-letter-store';
import type { EventStore } from '../core/stores/event-store';
import type { Intake } from '../collector/intake';
import type { Pseudonymiser } from '../collector/pseudonymise';
import type { TokenStore } from './tokens/token.store';
import type { Authz } from './authz/authz';
import type { SqlClient } from '../core/sql/sql-client';
import type { FactorService } from './auth/factors/factor.types';
import type { AuthPolicy } from './auth/accounts/auth-policy';
import type { AuthEvent } from './auth/factors/factor.types';
import type { MfaDeps, MfaServices } from './mfa/mfa.routes';
import type { AlertStore } from '../core/stores/alert-store';
import type { SuppressionStore } from '../core/stores/suppression-store';
import type { WatchlistStore } from '../core/stores/watchlist-store';
import type { Alerting } from '../detection/alerting';
import type { DeliveryOutbox } from '../core/delivery/outbox';
import type { DocumentSigner } from '../pki/signer';
import type { Cases } from './cases/create-cases';
import type { IncidentService } from './incidents/incident.service';

/** What the routes are given (built once by cli/runtime.ts). */
export interface AppContext {
  config: Config;
  logger: Logger;
  events: EventStore;
  deadLetters: DeadLetterStore;
  tokens: TokenStore;
  authz: Authz;
  /** Identity: users, sessions and second factors (issue 3). */
  identity: {
    sql: SqlClient;
    factors: FactorService;
    policy: AuthPolicy;
    writeAuthEvent: (e: AuthEvent & { application?: string }) => Promise<void>;
  };
  /** MFA for VPS applications: policy, validation API, coverage (issue 3). */
  mfa: { deps: MfaDeps; services: MfaServices };
  /**
   * Detection (issue 4): the alert store, suppression rules, the watch list (the one the alerting step re-reads) and
   * the alerting step of the ingest path.
   */
  detection: { alerts: AlertStore; suppressions: SuppressionStore; watchlist: WatchlistStore; alerting: Alerting };
  /** Delivery (issue 6): the durable outbox of e-mail and webhooks (core/delivery/outbox.ts); workers run in `sargs start`. */
  delivery: { outbox: DeliveryOutbox };
  /** Subject-request cases (issue 5): store, service, calendar, reminder policy. */
  cases: Cases;
  /** The platform PKI (issue 5): signs exports with detached CMS; the CA verifiers trust. */
  pki: { signer: DocumentSigner };
  /** Incident cases, legal clocks and notices (issue 6). */
  incidents: IncidentService;
  audit: AuditLog;
  intake: Intake;
  pseudonymiser: Pseudonymiser;
  tenants: ReadonlySet<string>;
  metrics: Metrics;
  health(): Promise<Health>;
}

export interface Health {
  status: 'ok' | 'degraded';
  backends: Record<string, { kind: string; ok: boolean; detail?: string }>;
  spool: { depth: number; bytes: number };
}
