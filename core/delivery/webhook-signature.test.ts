import { execFileSync } from 'node:child_process';
import { signWebhook, verifyWebhook } from './webhook-signature';
import { webhookSecretFor } from './webhook-transport';

describe('webhook signature', () => {
  const secret = 'whsec-0123456789abcdef0123456789abcdef';
  const body = '{"notice":"nis2-early-warning","incident":"INC-1"}';
  const ts = 1_800_000_000;

  it('is the HMAC-SHA256 of "<timestamp>.<body>" that openssl computes', () => {
    const openssl = execFileSync('openssl', ['dgst', '-sha256', '-hmac', secret], { input: `${ts}.${body}`, encoding: 'utf8' });
    expect(signWebhook(secret, ts, body)).toBe(`sha256=${openssl.trim().split(/\s+/).pop()}`);
  });

  it('verifies the raw body and refuses a changed body, another secret, a stale timestamp or a malformed header', () => {
    const now = ts * 1000;
    const headers = { signature: signWebhook(secret, ts, body), timestamp: String(ts) };
    expect(verifyWebhook(secret, headers, body, { now })).toBeNull();
    expect(verifyWebhook(secret, headers, body.replace('INC-1', 'INC-2'), { now })).toBe('signature does not match');
    expect(verifyWebhook('another-secret', headers, body, { now })).toBe('signature does not match');
    expect(verifyWebhook(secret, headers, body, { now: now + 301_000 })).toMatch(/tolerance/);
    expect(verifyWebhook(secret, { ...headers, signature: 'sha1=abc' }, body, { now })).toMatch(/sha256=/);
    expect(verifyWebhook(secret, { signature: headers.signature }, body, { now })).toMatch(/Timestamp/);
  });

  it('picks the secret of the longest matching target prefix, else the default', () => {
    const opts = {
      defaultSecret: 'default',
      secrets: [
        { url: 'https://cert.example.lv/', secret: 'cert' },
        { url: 'https://cert.example.lv/hooks/nis2', secret: 'nis2' },
      ],
    };
    expect(webhookSecretFor('https://cert.example.lv/hooks/nis2/in', opts)).toBe('nis2');
    expect(webhookSecretFor('https://cert.example.lv/other', opts)).toBe('cert');
    expect(webhookSecretFor('https://riga.example.lv/hook', opts)).toBe('default');
    expect(webhookSecretFor('https://riga.example.lv/hook', { secrets: [] })).toBeUndefined();
  });
});
