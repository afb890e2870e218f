import forge from 'node-forge';
import { createPublicKey, generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { forgeSigningKey } from './forge-key';

const generateRsa = promisify(generateKeyPair);

/** id-kp-documentSigning (RFC 9336): the certificate signs documents. */
export const OID_DOCUMENT_SIGNING = '1.3.6.1.5.5.7.3.36';
/** Key size: RSA 3072 (NIST SP 800-57 part 1: 128-bit security, fine beyond 2030). */
export const RSA_BITS = 3072;

export interface IssuedCertificate {
  certificate: string;
  key: KeyObject;
}

export async function generateRsaKey(bits = RSA_BITS): Promise<KeyObject> {
  const { privateKey } = await generateRsa('rsa', { modulusLength: bits });
  return privateKey;
}

/** A positive 128-bit serial (RFC 5280 §4.1.2.2: unique, positive, at most 20 octets; CA/B BR: ≥ 64 random bits). */
export function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = (b[0] & 0x7f) | 0x40; // positive, and no leading zero octet to strip
  return b.toString('hex');
}

function forgePublicKey(key: KeyObject): forge.pki.PublicKey {
  return forge.pki.publicKeyFromPem(createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString());
}

/** C as PrintableString, O and CN as UTF8String (RFC 5280 §4.1.2.6), so 'Pašvaldība' survives. */
function attrs(name: { commonName: string; organization: string; country?: string }): forge.pki.CertificateField[] {
  // node-forge UTF-8-encodes a value whose valueTagClass is UTF8 when it writes the name.
  const utf8 = (value: string) => ({ value, valueTagClass: forge.asn1.Type.UTF8 }) as unknown as forge.pki.CertificateField;
  return [
    { shortName: 'C', value: name.country ?? 'LV' },
    { shortName: 'O', ...utf8(name.organization) },
    { shortName: 'CN', ...utf8(name.commonName) },
  ];
}

function validity(cert: forge.pki.Certificate, now: Date, days: number) {
  // Backdated five minutes: verifiers whose clocks lag a little still accept a certificate made just now.
  cert.validity.notBefore = new Date(now.getTime() - 5 * 60_000);
  cert.validity.notAfter = new Date(now.getTime() + days * 86_400_000);
}

/**
 * The platform's root CA: self-signed, RSA 3072, SHA-256, basicConstraints CA:TRUE pathlen 0 (it signs end-entity
 * certificates only), keyUsage keyCertSign + cRLSign (RFC 5280 §4.2.1.3, §4.2.1.9).
 */
export async function issueRootCa(opts: { organization: string; now?: Date; days?: number; key?: KeyObject }): Promise<IssuedCertificate> {
  const now = opts.now ?? new Date();
  const key = opts.key ?? (await generateRsaKey());
  const cert = forge.pki.createCertificate();
  cert.publicKey = forgePublicKey(key);
  cert.serialNumber = randomSerial();
  validity(cert, now, opts.days ?? 3653);
  const name = attrs({ commonName: `${opts.organization} Platform Root CA`, organization: opts.organization });
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forgeSigningKey(key) as unknown as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { certificate: forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n'), key };
}

/**
 * The document-signing certificate, issued by the platform CA: keyUsage digitalSignature + nonRepudiation
 * (contentCommitment), extendedKeyUsage emailProtection (what `openssl cms -verify` checks by default, purpose
 * smimesign) and documentSigning (RFC 9336), CA:FALSE, key identifiers linking it to the CA.
 */
export async function issueSigningCertificate(opts: {
  ca: IssuedCertificate;
  organization: string;
  now?: Date;
  days?: number;
  key?: KeyObject;
}): Promise<IssuedCertificate> {
  const now = opts.now ?? new Date();
  const key = opts.key ?? (await generateRsaKey());
  const caCert = forge.pki.certificateFromPem(opts.ca.certificate);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forgePublicKey(key);
  cert.serialNumber = randomSerial();
  validity(cert, now, opts.days ?? 730);
  cert.setSubject(attrs({ commonName: `${opts.organization} Document Signing`, organization: opts.organization }));
  // The issuer is the CA's subject as written. node-forge reads UTF8String values as UTF-8 bytes but encodes them
  // again on writing: decode them first, or 'Pašvaldība' would be encoded twice and the names would not match.
  cert.setIssuer(
    caCert.subject.attributes.map((a) =>
      (a as { valueTagClass?: number }).valueTagClass === forge.asn1.Type.UTF8 ? { ...a, value: forge.util.decodeUtf8(String(a.value)) } : a,
    ),
  );
  const caSki = caCert.generateSubjectKeyIdentifier().getBytes();
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    { name: 'extKeyUsage', emailProtection: true, [OID_DOCUMENT_SIGNING]: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caSki },
  ]);
  cert.sign(forgeSigningKey(opts.ca.key) as unknown as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { certificate: forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n'), key };
}
