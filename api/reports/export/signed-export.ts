import { createHash } from 'node:crypto';
import type { DocumentSigner } from '../../../pki/signer';
import type { SignedExport } from './export.types';

/** Wraps bytes with their SHA-256 and their detached CMS signature (`<fileName>.p7s`). */
export async function signExport(bytes: Buffer, contentType: string, fileName: string, signer: DocumentSigner, signingTime?: Date): Promise<SignedExport> {
  return {
    bytes,
    contentType,
    fileName,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    signature: { bytes: await signer.sign(bytes, { signingTime }), fileName: `${fileName}.p7s`, contentType: 'application/pkcs7-signature' },
  };
}
