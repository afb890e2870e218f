/**
 * The document signer of Sargs: detached CMS/PKCS#7 signatures over exports (reports, letters, evidence), made
 * with the platform's document-signing certificate. Built by pki/document-signer.ts, either from the platform CA
 * kept in the data dir (created on first start) or from a certificate and key a deployment brings
 * (SARGS_SIGNING_CERT / SARGS_SIGNING_KEY). Every method loads the keys on first use.
 */
export interface DocumentSigner {
  /**
   * Detached CMS SignedData over `content` (RFC 5652): SHA-256, RSASSA-PKCS1-v1_5, the signer certificate and its
   * chain included, signed attributes contentType, signingTime and messageDigest. DER bytes (a `.p7s` file).
   */
  sign(content: Buffer, opts?: { signingTime?: Date }): Promise<Buffer>;
  /** The signing certificate followed by its chain up to the root CA, PEM. */
  certificates(): Promise<string>;
  /** The root CA certificate, PEM: what verifiers trust (GET /api/v1/pki/ca.pem). */
  caCertificate(): Promise<string>;
  /** The certificates Sargs holds, for the certificate inventory. */
  inventory(): Promise<CertificateInfo[]>;
}

/** One certificate in the inventory (GET /api/v1/pki/certificates). */
export interface CertificateInfo {
  purpose: 'root-ca' | 'intermediate-ca' | 'document-signing' | 'document-signing-replaced';
  /** RFC 4514 order, e.g. 'CN=Sargs Document Signing, O=Sargs, C=LV' */
  subject: string;
  issuer: string;
  /** Serial number, hex, lowercase. */
  serial: string;
  notBefore: string;
  notAfter: string;
  /** SHA-256 fingerprint of the DER certificate, hex pairs separated by ':' (as `openssl x509 -fingerprint -sha256`). */
  sha256Fingerprint: string;
  /** e.g. 'rsa 3072', 'ec prime256v1' */
  keyAlgorithm: string;
  /** Created by Sargs in the data dir, or brought by the deployment (SARGS_SIGNING_CERT). */
  source: 'platform' | 'configured';
}
