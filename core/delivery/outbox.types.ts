/**
 * The outbox of Sargs (issue 6, also used by subject-request reminders and monthly municipality reports):
 * a message to deliver is first stored durably (SQL, in the same database as the state), then delivered by
 * jobs on the project's JobQueue (BullMQ on Redis, or the in-process SQL runner) with retries and exponential
 * backoff; a message that exhausted its attempts is dead and raises an alert. Delivery is idempotent: a message
 * is sent at most once successfully (its id is the idempotency key: SMTP Message-ID, webhook header).
 * Implemented by core/delivery/outbox.ts.
 */

export type Channel = 'email' | 'webhook';

export interface OutgoingMessage {
  /**
   * Idempotency key chosen by the caller, stable for the same logical message (e.g. `notice:<noticeId>`,
   * `case-reminder:<caseId>:<deadline>:<step>`): enqueueing the same key twice stores and sends it once.
   */
  key: string;
  channel: Channel;
  /** E-mail address(es), or the webhook URL. */
  to: string[];
  subject: string;
  /** Plain text body (e-mail) or the JSON payload (webhook, serialised by the outbox). */
  text?: string;
  json?: unknown;
  /** Optional attachments (e-mail only). */
  attachments?: { fileName: string; contentType: string; content: Buffer }[];
  /** Tenant the message concerns (for scoping its record and the dead-letter alert). */
  tenant: string;
  /** What it belongs to, for the record: e.g. { kind: 'incident-notice', id }. */
  subjectRef?: { kind: string; id: string };
}

export type DeliveryState = 'pending' | 'sending' | 'delivered' | 'retrying' | 'dead';

export interface DeliveryRecord {
  id: string;
  key: string;
  channel: Channel;
  to: string[];
  subject: string;
  state: DeliveryState;
  attempts: number;
  lastError?: string;
  /** SHA-256 of the content actually sent (hex). */
  contentHash: string;
  createdAt: string;
  deliveredAt?: string;
  tenant: string;
  subjectRef?: { kind: string; id: string };
  /** Sends allowed in total (policies/delivery.yaml `attempts`). */
  maxAttempts?: number;
  /** When the next send is due (pending, retrying). */
  nextAttemptAt?: string;
  /** Last change of state. */
  updatedAt?: string;
  /** E-mail: the Message-ID header (`<hash@sargs>`), stable across retries, so duplicates are detectable. */
  messageId?: string;
  /** What the receiver answered to the successful send (`250 …`, `HTTP 202`). */
  response?: string;
}

export interface Outbox {
  /** Stores the message (once per key) and schedules its delivery; returns its record. */
  enqueue(msg: OutgoingMessage): Promise<DeliveryRecord>;
  get(id: string): Promise<DeliveryRecord | undefined>;
  byKey(key: string): Promise<DeliveryRecord | undefined>;
  /** Records, newest first, optionally for one subject. */
  list(q: { tenant?: string | string[] | '*'; subjectRef?: { kind: string; id: string }; state?: DeliveryState; limit?: number }): Promise<DeliveryRecord[]>;
  /** Called when a message's state changes (e.g. the incident clock stops on 'delivered'). */
  onStateChange(listener: (rec: DeliveryRecord) => void | Promise<void>): void;
}
