import fs from 'node:fs';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { SecretBox } from '../core/secret-box';
import { describeCertificate, splitPemCertificates } from './certificate-info';
import { signDetached } from './cms-sign';
import { loadOrCreatePlatformPki } from './platform-pki';
import type { CertificateInfo, DocumentSigner } from './signer';

/** The keys a signer works with, once loaded. */
interface SigningMaterial {
  certificate: string;
  /** Issuers of `certificate`, nearest first, root CA last. */
  chain: string[];
  key: KeyObject;
  inventory: CertificateInfo[];
}

export interface DocumentSignerOptions {
  dataDir: string;
  secretBox: SecretBox;
  /** SARGS_SIGNING_CERT: PEM file, the signing certificate followed by its issuers, the root CA last. */
  signingCertFile?: string;
  /** SARGS_SIGNING_KEY: PEM file with the signing certificate's RSA private key (PKCS#8 or PKCS#1, unencrypted). */
  signingKeyFile?: string;
  /** O= of the platform certificates (default 'Sargs'). */
  organization?: string;
}

/**
 * The document signer: the platform PKI in `<dataDir>/pki/` (created on first use, then reused), or the
 * deployment's own certificate and key when SARGS_SIGNING_CERT and SARGS_SIGNING_KEY are set. Keys are loaded on
 * the first call, once; a failed load is retried on the next call.
 *
 * @example
 * const signer = createDocumentSigner({ dataDir: config.dataDir, secretBox });
 * const p7s = await signer.sign(pdfBytes); // detached CMS, DER
 */
export function createDocumentSigner(opts: DocumentSignerOptions): DocumentSigner {
  let loading: Promise<SigningMaterial> | undefined;
  const material = () =>
    (loading ??= load(opts).catch((err: unknown) => {
      loading = undefined;
      throw err;
    }));
  return {
    async sign(content, o) {
      const m = await material();
      return signDetached(content, m, o?.signingTime ?? new Date());
    },
    async certificates() {
      const m = await material();
      return [m.certificate, ...m.chain].join('');
    },
    async caCertificate() {
      const m = await material();
      return m.chain.length ? m.chain[m.chain.length - 1] : m.certificate;
    },
    async inventory() {
      return (await material()).inventory;
    },
  };
}

async function load(opts: DocumentSignerOptions): Promise<SigningMaterial> {
  if (opts.signingCertFile || opts.signingKeyFile) return loadConfigured(opts);
  const pki = await loadOrCreatePlatformPki({ dataDir: opts.dataDir, secretBox: opts.secretBox, organization: opts.organization });
  return {
    certificate: pki.signing.certificate,
    chain: [pki.ca.certificate],
    key: pki.signing.key,
    inventory: [
      describeCertificate(pki.ca.certificate, 'root-ca', 'platform'),
      describeCertificate(pki.signing.certificate, 'document-signing', 'platform'),
      ...pki.archived.map((c) => describeCertificate(c, 'document-signing-replaced', 'platform')),
    ],
  };
}

/** The deployment's own CA: checked at load so a wrong file is named at start, not at the first export. */
function loadConfigured(opts: DocumentSignerOptions): SigningMaterial {
  const certFile = opts.signingCertFile;
  const keyFile = opts.signingKeyFile;
  if (!certFile || !keyFile) throw new Error('SARGS_SIGNING_CERT and SARGS_SIGNING_KEY must be set together');
  const read = (file: string, what: string) => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`${what}: cannot read ${file}`, { cause: err });
    }
  };
  const pems = splitPemCertificates(read(certFile, 'SARGS_SIGNING_CERT'));
  if (pems.length < 2)
    throw new Error(`SARGS_SIGNING_CERT: ${certFile} must hold the signing certificate followed by its issuers up to the root CA (found ${pems.length} certificate(s))`);
  const keyText = read(keyFile, 'SARGS_SIGNING_KEY');
  let key: KeyObject;
  try {
    key = createPrivateKey(keyText);
  } catch (err) {
    throw new Error(`SARGS_SIGNING_KEY: ${keyFile} is not an unencrypted PEM private key`, { cause: err });
  }
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`SARGS_SIGNING_KEY: an RSA key is needed for CMS signing, got ${key.asymmetricKeyType}`);
  const certs = pems.map((p) => new X509Certificate(p));
  if (!certs[0].checkPrivateKey(key)) throw new Error('SARGS_SIGNING_KEY: the key does not belong to the first certificate of SARGS_SIGNING_CERT');
  for (let i = 0; i + 1 < certs.length; i++)
    if (!certs[i].checkIssued(certs[i + 1]) || !certs[i].verify(certs[i + 1].publicKey))
      throw new Error(`SARGS_SIGNING_CERT: certificate ${i + 1} (${certs[i].subject.replace(/\n/g, ', ')}) was not issued by the next one in the file`);
  const root = certs[certs.length - 1];
  if (!root.ca || !root.verify(root.publicKey)) throw new Error('SARGS_SIGNING_CERT: the last certificate must be a self-signed root CA');
  if (Date.parse(certs[0].validTo) < Date.now()) throw new Error(`SARGS_SIGNING_CERT: the signing certificate expired on ${new Date(certs[0].validTo).toISOString()}`);
  return {
    certificate: pems[0],
    chain: pems.slice(1),
    key,
    inventory: pems.map((p, i) =>
      describeCertificate(p, i === 0 ? 'document-signing' : i === pems.length - 1 ? 'root-ca' : 'intermediate-ca', 'configured'),
    ),
  };
}
