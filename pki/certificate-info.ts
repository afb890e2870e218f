import { X509Certificate } from 'node:crypto';
import type { CertificateInfo } from './signer';

/** Node prints names one attribute a line, most significant first; RFC 4514 writes them last first. */
function rfc4514(name: string): string {
  return name.split('\n').filter(Boolean).reverse().join(', ');
}

/** The inventory row of one certificate (PEM). */
export function describeCertificate(pem: string, purpose: CertificateInfo['purpose'], source: CertificateInfo['source']): CertificateInfo {
  const c = new X509Certificate(pem);
  const details = c.publicKey.asymmetricKeyDetails ?? {};
  const size = details.modulusLength ?? details.namedCurve ?? '';
  return {
    purpose,
    subject: rfc4514(c.subject),
    issuer: rfc4514(c.issuer),
    serial: c.serialNumber.toLowerCase().replace(/^0+(?=.)/, ''),
    notBefore: new Date(c.validFrom).toISOString(),
    notAfter: new Date(c.validTo).toISOString(),
    sha256Fingerprint: c.fingerprint256,
    keyAlgorithm: `${c.publicKey.asymmetricKeyType ?? 'unknown'} ${size}`.trim(),
    source,
  };
}

/** Splits a PEM bundle into its certificates, in file order. */
export function splitPemCertificates(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)?.map((p) => `${p}\n`) ?? [];
}
