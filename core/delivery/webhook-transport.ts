import { DeliveryError, type SendResult, type StoredMessage, type Transport } from './transports';
import { signWebhook } from './webhook-signature';

export interface WebhookSecret {
  /** The target URL, or a prefix of it (`https://cert.example.lv/hooks/`). */
  url: string;
  secret: string;
}

export interface WebhookTransportOptions {
  /** Secret for targets without their own (Config.webhookSecret). */
  defaultSecret?: string;
  /** Per-target secrets; the longest matching URL prefix wins (Config.webhookSecrets). */
  secrets?: WebhookSecret[];
  /** Time for one POST, response included (policy webhookTimeoutMs). */
  timeoutMs: number;
}

/** The secret of a target URL: the longest matching prefix, else the default. */
export function webhookSecretFor(url: string, opts: Pick<WebhookTransportOptions, 'defaultSecret' | 'secrets'>): string | undefined {
  const match = (opts.secrets ?? []).filter((s) => url.startsWith(s.url)).sort((a, b) => b.url.length - a.url.length)[0];
  return match?.secret ?? opts.defaultSecret;
}

/**
 * Webhooks: POST of the stored JSON body to each target, signed (core/delivery/webhook-signature.ts).
 * Outcome, as GitHub and Stripe treat their receivers: 2xx delivered; 408, 429, 5xx, a timeout or a network error
 * retried; any other status (4xx, and 3xx: Sargs follows no redirects with a signed body) dead at once. A message
 * with several targets is delivered when every target accepted it; a retry posts to all of them again, and a
 * receiver that already has it de-duplicates on X-Sargs-Delivery.
 */
export function createWebhookTransport(opts: WebhookTransportOptions): Transport {
  return {
    async send(msg: StoredMessage): Promise<SendResult> {
      const responses: string[] = [];
      for (const url of msg.to) {
        const secret = webhookSecretFor(url, opts);
        // Sargs never sends an unsigned webhook: a receiver could not tell it from a forged one.
        if (!secret) throw new DeliveryError(`webhook: no secret configured for ${new URL(url).origin} (SARGS_WEBHOOK_SECRET)`, true);
        const timestamp = Math.floor(Date.now() / 1000);
        let res: Response;
        try {
          res = await fetch(url, {
            method: 'POST',
            redirect: 'manual',
            signal: AbortSignal.timeout(opts.timeoutMs),
            headers: {
              'content-type': 'application/json',
              'user-agent': 'Sargs-Webhook/1',
              'x-sargs-delivery': msg.id,
              'x-sargs-timestamp': String(timestamp),
              'x-sargs-signature': signWebhook(secret, timestamp, msg.body),
            },
            body: msg.body,
          });
          await res.arrayBuffer().catch(() => undefined);
        } catch (err) {
          throw new DeliveryError(`webhook ${url}: ${(err as Error).name === 'TimeoutError' ? 'timed out' : (err as Error).message}`, false, { cause: err });
        }
        if (res.status >= 200 && res.status < 300) {
          responses.push(`HTTP ${res.status}`);
          continue;
        }
        const transient = res.status === 408 || res.status === 429 || res.status >= 500;
        throw new DeliveryError(`webhook ${url}: HTTP ${res.status}`, !transient);
      }
      return { response: responses.join(', ') };
    },
  };
}
