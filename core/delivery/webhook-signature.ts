import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signature of a Sargs webhook, as GitHub and Stripe sign theirs: HMAC-SHA256 with the target's shared
 * secret over `<timestamp>.<raw body>`, sent as `X-Sargs-Signature: sha256=<hex>` beside `X-Sargs-Timestamp`
 * (Unix seconds) and `X-Sargs-Delivery` (the message id: the receiver's idempotency key). Signing the timestamp
 * lets a receiver refuse a captured request replayed later.
 *
 * @example
 *   const ts = Math.floor(Date.now() / 1000);
 *   headers['X-Sargs-Signature'] = signWebhook(secret, ts, body);
 */
export function signWebhook(secret: string, timestamp: number, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/**
 * A receiver's check of a Sargs webhook (also the reference for receivers written in other languages): the
 * signature must match the raw body as received (before any JSON parsing) and the timestamp must be within
 * `toleranceSeconds` of the receiver's clock. Compared in constant time.
 *
 * @returns null when valid, else the reason.
 */
export function verifyWebhook(
  secret: string,
  headers: { signature?: string; timestamp?: string },
  rawBody: string | Buffer,
  opts: { toleranceSeconds?: number; now?: number } = {},
): string | null {
  if (!headers.signature || !/^sha256=[0-9a-f]{64}$/.test(headers.signature)) return 'X-Sargs-Signature missing or not sha256=<64 hex>';
  if (!headers.timestamp || !/^\d{1,12}$/.test(headers.timestamp)) return 'X-Sargs-Timestamp missing or not Unix seconds';
  const ts = Number(headers.timestamp);
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  if (Math.abs(now - ts) > (opts.toleranceSeconds ?? 300)) return 'X-Sargs-Timestamp outside the tolerance (replay?)';
  const expected = Buffer.from(signWebhook(secret, ts, rawBody));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? null : 'signature does not match';
}
