/**
 * Types of the signed exports of a person access report (issue 5). Every export is a file plus its detached
 * CMS/PKCS#7 signature (SignedData, SHA-256, signer certificate included, signing-time attribute) made with the
 * platform's document-signing certificate (pki/). Anyone can check it with the platform CA (GET /api/v1/pki/ca.pem):
 *
 *   openssl cms -verify -binary -inform DER -in <file>.p7s -content <file> -CAfile ca.pem -out /dev/null
 */

export type ExportFormat = 'pdf' | 'csv' | 'json';
export type ExportLang = 'lv' | 'en';

/** A file to hand out (download, attach to a case), with its detached signature. */
export interface SignedExport {
  bytes: Buffer;
  /** e.g. 'application/pdf', 'text/csv; charset=utf-8', 'application/json' */
  contentType: string;
  /** e.g. 'person-access-REF-2026-11-30.lv.pdf' (ASCII, safe for Content-Disposition) */
  fileName: string;
  /** SHA-256 of `bytes`, hex. */
  sha256: string;
  signature: {
    /** DER-encoded detached CMS SignedData. */
    bytes: Buffer;
    /** `${fileName}.p7s` */
    fileName: string;
    /** 'application/pkcs7-signature' */
    contentType: string;
  };
}

/** The controller (pārzinis) answering an access request: who signs the letter and how to reach them. */
export interface ControllerDetails {
  /** e.g. 'Rīgas valstspilsētas pašvaldība' */
  name: string;
  /** Registration number (reģistrācijas numurs), if to be shown. */
  registrationNumber?: string;
  address?: string;
  email?: string;
  phone?: string;
  /** The data protection officer's name and contact, Art. 13(1)(b). */
  dpo?: { name?: string; email?: string; phone?: string };
}
