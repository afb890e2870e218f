import { base32Plugin } from './otp-plugins';
import { matchTotpStep, newTotpSecret, totpCode, totpUri, type TotpAlgorithm, type TotpParams } from './totp';

const base32 = (ascii: string) => base32Plugin.encode(Buffer.from(ascii, 'ascii'));

// RFC 6238 Appendix B: the seeds are the ASCII digits "1234567890" repeated to 20, 32 and 64 bytes.
const SEEDS: Record<TotpAlgorithm, string> = {
  SHA1: '12345678901234567890',
  SHA256: '12345678901234567890123456789012',
  SHA512: '1234567890123456789012345678901234567890123456789012345678901234',
};

// RFC 6238 Appendix B, table of test vectors: time (s), TOTP per mode, 8 digits, X = 30, T0 = 0.
const VECTORS: Array<[number, string, string, string]> = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('TOTP (RFC 6238)', () => {
  const modes: TotpAlgorithm[] = ['SHA1', 'SHA256', 'SHA512'];
  for (const [time, ...codes] of VECTORS) {
    modes.forEach((algorithm, i) => {
      it(`Appendix B: ${algorithm} at T=${time} is ${codes[i]}, and matches step ${Math.floor(time / 30)}`, async () => {
        const p: TotpParams = { algorithm, digits: 8, period: 30 };
        const secret = base32(SEEDS[algorithm]);
        expect(await totpCode(secret, p, time)).toBe(codes[i]);
        // The verifier the service uses finds the same step (T = floor((time - T0) / X), RFC 6238 §4.2).
        expect(await matchTotpStep(secret, p, codes[i], time)).toBe(Math.floor(time / 30));
      });
    });
  }

  it('accepts one step back and one ahead, refuses two (RFC 6238 §5.2)', async () => {
    const p: TotpParams = { algorithm: 'SHA1', digits: 6, period: 30 };
    const secret = newTotpSecret();
    const t = 1_750_000_015; // mid-step
    const s = Math.floor(t / 30);
    const at = (k: number) => totpCode(secret, p, t + k * 30);
    expect(await matchTotpStep(secret, p, await at(0), t)).toBe(s);
    expect(await matchTotpStep(secret, p, await at(-1), t)).toBe(s - 1);
    expect(await matchTotpStep(secret, p, await at(1), t)).toBe(s + 1);
    expect(await matchTotpStep(secret, p, await at(-2), t)).toBeNull();
    expect(await matchTotpStep(secret, p, await at(2), t)).toBeNull();
  });

  it('refuses malformed codes without calling the verifier', async () => {
    const p: TotpParams = { algorithm: 'SHA1', digits: 6, period: 30 };
    const secret = newTotpSecret();
    for (const bad of ['', '12345', '1234567', '12345a', ' 123456', '１２３４５６']) expect(await matchTotpStep(secret, p, bad, 1e9)).toBeNull();
  });

  it('encodes Base32 as RFC 4648 §10 does (unpadded) and decodes it back', () => {
    const vectors: Array<[string, string]> = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
    for (const [plain, enc] of vectors) {
      expect(base32Plugin.encode(Buffer.from(plain))).toBe(enc);
      expect(base32Plugin.encode(Buffer.from(plain), { padding: true })).toBe(enc.padEnd(Math.ceil(enc.length / 8) * 8, '='));
      expect(Buffer.from(base32Plugin.decode(enc.toLowerCase() + '==')).toString()).toBe(plain);
    }
    expect(() => base32Plugin.decode('MZ1W')).toThrow(/invalid character/);
  });

  it('generates 160-bit Base32 secrets and an otpauth:// URI with issuer Sargs', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Plugin.decode(secret)).toHaveLength(20);
    const uri = new URL(totpUri(secret, 'anna@riga', { algorithm: 'SHA256', digits: 6, period: 30 }));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Sargs:anna@riga');
    expect(uri.searchParams.get('issuer')).toBe('Sargs');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('algorithm')).toBe('SHA256');
  });
});
