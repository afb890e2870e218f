import { hashPassword, verifyDummyPassword, verifyPassword } from './password-hash';

describe('scrypt password hashes', () => {
  it('encodes the parameters, salts every hash and verifies', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery staple', a)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', a)).toBe(false);
  });
  it('normalises Unicode (NFKC) so that the same password typed differently matches', async () => {
    const h = await hashPassword('ķēniņš un ﬁlozofs');
    expect(await verifyPassword('ķēniņš un filozofs', h)).toBe(true);
    expect(await verifyPassword('k\u0327e\u0304nin\u0327s\u030C un ﬁlozofs', h)).toBe(true);
  });
  it('never matches a missing or malformed hash', async () => {
    expect(await verifyPassword('x', null)).toBe(false);
    expect(await verifyPassword('x', 'scrypt$2$8$1$AAAA$AAAA')).toBe(false);
    expect(await verifyPassword('x', 'bcrypt$whatever')).toBe(false);
    expect(await verifyDummyPassword('x')).toBe(false);
  });
});
