import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadDeliveryPolicy, retryDelayMs } from './delivery-policy';

describe('delivery policy', () => {
  it('loads policies/delivery.yaml', () => {
    const p = loadDeliveryPolicy();
    expect(p.attempts).toBeGreaterThanOrEqual(1);
    expect(p.leaseMs).toBeGreaterThan(3 * p.smtpTimeoutMs);
    expect(p.maxDelayMs).toBeGreaterThanOrEqual(p.baseDelayMs);
  });

  it('refuses a bad file naming the field and the reason', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-policy-')), 'delivery.yaml');
    const base = 'attempts: 5\nbaseDelaySeconds: 30\nmaxDelaySeconds: 3600\nleaseSeconds: 300\nsweepIntervalSeconds: 30\nsmtpTimeoutSeconds: 60\nwebhookTimeoutSeconds: 30\n';
    fs.writeFileSync(file, base.replace('attempts: 5', 'attempts: 2.5'));
    expect(() => loadDeliveryPolicy(file)).toThrow(/attempts: must be a whole number/);
    fs.writeFileSync(file, base.replace('leaseSeconds: 300', 'leaseSeconds: 100'));
    expect(() => loadDeliveryPolicy(file)).toThrow(/leaseSeconds: must exceed/);
    fs.writeFileSync(file, base.replace('maxDelaySeconds: 3600', 'maxDelaySeconds: 10'));
    expect(() => loadDeliveryPolicy(file)).toThrow(/maxDelaySeconds: must be at least baseDelaySeconds/);
    fs.writeFileSync(file, `${base}retries: 3\n`);
    expect(() => loadDeliveryPolicy(file)).toThrow(/retries/);
  });

  it('backs off exponentially up to the cap, with jitter between half and the whole wait', () => {
    const p = { baseDelayMs: 1000, maxDelayMs: 10_000 };
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(p, n, () => 1))).toEqual([1000, 2000, 4000, 8000, 10_000]);
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(p, n, () => 0))).toEqual([500, 1000, 2000, 4000, 5000]);
    for (let i = 0; i < 100; i++) {
      const d = retryDelayMs(p, 3);
      expect(d).toBeGreaterThanOrEqual(2000);
      expect(d).toBeLessThanOrEqual(4000);
    }
  });
});
