import fs from 'node:fs';
import path from 'node:path';
import { createPrivateKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import type { SecretBox } from '../core/secret-box';
import { issueRootCa, issueSigningCertificate, type IssuedCertificate } from './issue-certificates';

/**
 * The platform PKI kept in `<dataDir>/pki/`:
 *
 *   ca.crt.pem            root CA certificate (public; GET /api/v1/pki/ca.pem)
 *   ca.key                root CA private key, PKCS#8 PEM sealed with the secret box, mode 0600
 *   signing.crt.pem       document-signing certificate (public)
 *   signing.key           its private key, sealed, mode 0600
 *   archive/<serial>.crt.pem   signing certificates replaced by renewal (their keys are deleted)
 *
 * Created once, on first start: the folder is built under a temporary name and renamed into place, so when two
 * processes start at once one set wins and both use it. Reused after. The signing certificate is renewed (new key,
 * new certificate from the same CA) when it has less than `renewBeforeDays` left.
 */
export interface PlatformPki {
  ca: IssuedCertificate;
  signing: IssuedCertificate;
  /** Replaced signing certificates (PEM), oldest first. */
  archived: string[];
  dir: string;
}

export interface PlatformPkiOptions {
  dataDir: string;
  secretBox: SecretBox;
  /** Organisation named in the certificates (O=, and the CN prefix). */
  organization?: string;
  now?: Date;
  renewBeforeDays?: number;
}

const CA_CERT = 'ca.crt.pem';
const CA_KEY = 'ca.key';
const SIGNING_CERT = 'signing.crt.pem';
const SIGNING_KEY = 'signing.key';

export async function loadOrCreatePlatformPki(opts: PlatformPkiOptions): Promise<PlatformPki> {
  const dir = path.join(opts.dataDir, 'pki');
  if (!fs.existsSync(path.join(dir, CA_CERT))) await createPki(dir, opts);
  let pki = readPki(dir, opts.secretBox);
  const now = opts.now ?? new Date();
  const due = (p: PlatformPki) => Date.parse(new X509Certificate(p.signing.certificate).validTo) - now.getTime() < (opts.renewBeforeDays ?? 30) * 86_400_000;
  if (due(pki)) {
    await withRenewLock(dir, async () => {
      pki = readPki(dir, opts.secretBox); // another process may have renewed while this one waited
      if (due(pki)) await renewSigning(dir, pki, opts);
    });
    pki = readPki(dir, opts.secretBox);
  }
  return pki;
}

/** One renewal at a time across processes: `renew.lock` created exclusively; a lock older than 5 minutes is stale. */
async function withRenewLock(dir: string, work: () => Promise<void>): Promise<void> {
  const lock = path.join(dir, 'renew.lock');
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, 'wx', 0o600));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 5 * 60_000) fs.rmSync(lock, { force: true });
      else if (Date.now() > deadline) throw new Error(`platform PKI: ${lock} held for over a minute`);
      else await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    await work();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

async function createPki(dir: string, opts: PlatformPkiOptions): Promise<void> {
  const organization = opts.organization ?? 'Sargs';
  const ca = await issueRootCa({ organization, now: opts.now });
  const signing = await issueSigningCertificate({ ca, organization, now: opts.now });
  fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  fs.mkdirSync(tmp, { mode: 0o700 });
  try {
    writeFileSynced(path.join(tmp, CA_CERT), ca.certificate, 0o644);
    writeFileSynced(path.join(tmp, CA_KEY), sealKey(ca.key, opts.secretBox), 0o600);
    writeFileSynced(path.join(tmp, SIGNING_CERT), signing.certificate, 0o644);
    writeFileSynced(path.join(tmp, SIGNING_KEY), sealKey(signing.key, opts.secretBox), 0o600);
    fs.renameSync(tmp, dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    // Another process renamed its folder into place first: use that one.
    if ((code === 'ENOTEMPTY' || code === 'EEXIST') && fs.existsSync(path.join(dir, CA_CERT))) return;
    throw new Error(`cannot create the platform PKI in ${dir}`, { cause: err });
  }
}

async function renewSigning(dir: string, pki: PlatformPki, opts: PlatformPkiOptions): Promise<void> {
  const organization = opts.organization ?? new X509Certificate(pki.ca.certificate).subject.match(/^O=(.*)$/m)?.[1] ?? 'Sargs';
  const next = await issueSigningCertificate({ ca: pki.ca, organization, now: opts.now });
  const old = new X509Certificate(pki.signing.certificate);
  fs.mkdirSync(path.join(dir, 'archive'), { recursive: true, mode: 0o700 });
  replaceFile(path.join(dir, 'archive', `${old.serialNumber.toLowerCase()}.crt.pem`), pki.signing.certificate, 0o644);
  // Key first, then certificate, each replaced atomically; readPki checks that they belong together.
  replaceFile(path.join(dir, SIGNING_KEY), sealKey(next.key, opts.secretBox), 0o600);
  replaceFile(path.join(dir, SIGNING_CERT), next.certificate, 0o644);
}

function readPki(dir: string, box: SecretBox): PlatformPki {
  const read = (f: string) => {
    try {
      return fs.readFileSync(path.join(dir, f), 'utf8');
    } catch (err) {
      throw new Error(`platform PKI: cannot read ${path.join(dir, f)}`, { cause: err });
    }
  };
  const ca = { certificate: read(CA_CERT), key: openKey(read(CA_KEY), box, path.join(dir, CA_KEY)) };
  const signing = { certificate: read(SIGNING_CERT), key: openKey(read(SIGNING_KEY), box, path.join(dir, SIGNING_KEY)) };
  checkPair(ca, 'root CA');
  checkPair(signing, 'signing');
  if (!new X509Certificate(signing.certificate).verify(new X509Certificate(ca.certificate).publicKey))
    throw new Error(`platform PKI: ${SIGNING_CERT} was not issued by ${CA_CERT} in ${dir}`);
  const archiveDir = path.join(dir, 'archive');
  const archived = fs.existsSync(archiveDir)
    ? fs
        .readdirSync(archiveDir)
        .filter((f) => f.endsWith('.crt.pem'))
        .map((f) => fs.readFileSync(path.join(archiveDir, f), 'utf8'))
        .sort((a, b) => Date.parse(new X509Certificate(a).validFrom) - Date.parse(new X509Certificate(b).validFrom))
    : [];
  return { ca, signing, archived, dir };
}

function checkPair(pair: IssuedCertificate, what: string) {
  if (!new X509Certificate(pair.certificate).checkPrivateKey(pair.key))
    throw new Error(`platform PKI: the ${what} key does not belong to the ${what} certificate`);
}

function sealKey(key: KeyObject, box: SecretBox): string {
  return `${box.seal(key.export({ type: 'pkcs8', format: 'pem' }).toString())}\n`;
}

function openKey(sealed: string, box: SecretBox, file: string): KeyObject {
  try {
    return createPrivateKey(box.open(sealed.trim()));
  } catch (err) {
    // The secret key (SARGS_SECRET_KEY or <dataDir>/secret.key) changed since the PKI was made.
    throw new Error(`platform PKI: cannot open ${file} (sealed under another secret key?)`, { cause: err });
  }
}

function writeFileSynced(file: string, text: string, mode: number) {
  const fd = fs.openSync(file, 'wx', mode);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.chmodSync(file, mode); // the process umask applies to open(); the mode must be exactly this
}

function replaceFile(file: string, text: string, mode: number) {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  writeFileSynced(tmp, text, mode);
  fs.renameSync(tmp, file);
}
