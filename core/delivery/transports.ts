import type { Channel } from './outbox.types';

/** A stored message as a transport sends it (loaded from sargs_outbox). */
export interface StoredMessage {
  id: string;
  key: string;
  channel: Channel;
  to: string[];
  subject: string;
  /** E-mail text, or the exact webhook JSON body. */
  body: string;
  /** `<hash@sargs>`: the SMTP Message-ID, stable across retries. */
  messageId: string;
  tenant: string;
  attachments: { fileName: string; contentType: string; content: Buffer }[];
}

/** What the receiving side answered on success (SMTP `250 …`, `HTTP 200`), kept on the record. */
export interface SendResult {
  response: string;
}

/** One channel's sender. Throws DeliveryError (or any error, taken as temporary) when not delivered. */
export interface Transport {
  send(msg: StoredMessage): Promise<SendResult>;
  close?(): void;
}

/**
 * A failed send. `permanent`: retrying cannot help (SMTP 5xx, HTTP 4xx other than 408/429, no secret for the
 * target): the message is dead at once. Anything else is retried with backoff.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DeliveryError';
  }
}

export type Transports = Partial<Record<Channel, Transport>>;
