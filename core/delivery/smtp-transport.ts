import nodemailer from 'nodemailer';
import { DeliveryError, type SendResult, type StoredMessage, type Transport } from './transports';

export interface SmtpTransportOptions {
  /** smtp://[user:pass@]host:port or smtps://… (Config.smtpUrl). */
  url: string;
  /** From: address (Config.mailFrom). */
  from: string;
  /** Connection, greeting and socket timeout of one send (policy smtpTimeoutMs). */
  timeoutMs: number;
}

/**
 * E-mail through an SMTP relay with nodemailer. One connection per message (no pool): a send that fails leaves
 * nothing behind that the next attempt could trip on. The message id of the outbox becomes the Message-ID, so a
 * receiver that sees the same message twice (the crash window in README "Delivery") can tell it is a duplicate.
 *
 * @example const smtp = createSmtpTransport({ url: config.smtpUrl, from: config.mailFrom, timeoutMs: 60_000 });
 */
export function createSmtpTransport(opts: SmtpTransportOptions): Transport {
  const transporter = nodemailer.createTransport({
    url: opts.url,
    connectionTimeout: opts.timeoutMs,
    greetingTimeout: opts.timeoutMs,
    socketTimeout: opts.timeoutMs,
  });
  return {
    async send(msg: StoredMessage): Promise<SendResult> {
      try {
        const info = (await transporter.sendMail({
          from: opts.from,
          to: msg.to,
          subject: msg.subject,
          text: msg.body,
          messageId: msg.messageId,
          headers: { 'X-Sargs-Delivery': msg.id },
          attachments: msg.attachments.map((a) => ({ filename: a.fileName, contentType: a.contentType, content: a.content })),
        })) as { response?: string; rejected?: unknown[] };
        const rejected = (info.rejected ?? []).map(String);
        // Some recipients accepted: the message is delivered; the refused ones are named on the record.
        return { response: `${info.response ?? '250'}${rejected.length ? `; rejected: ${rejected.join(', ')}` : ''}` };
      } catch (err) {
        const e = err as { responseCode?: number; response?: string; code?: string; message?: string };
        // RFC 5321 §4.2.1: 5yz is a permanent refusal (retrying the same message cannot succeed); 4yz and
        // connection errors are transient.
        const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600;
        const what = e.response ?? `${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}`;
        throw new DeliveryError(`SMTP: ${what}`, permanent, { cause: err });
      }
    },
    close: () => transporter.close(),
  };
}
