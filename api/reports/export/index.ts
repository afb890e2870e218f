/**
 * Signed exports of a person access report and the GDPR Art. 15 answer letter (issue 5).
 *
 * Wiring for routes (ctx.pki.signer is built by cli/runtime.ts from pki/):
 *
 * @example
 * const out = await exportReport(report, 'pdf', 'lv', ctx.pki.signer);
 * res.type(out.contentType).attachment(out.fileName).send(out.bytes);
 * // and the signature: res.type(out.signature.contentType).attachment(out.signature.fileName).send(out.signature.bytes)
 *
 * const letter = await answerLetter(report, 'lv', { name: 'Rīgas valstspilsētas pašvaldība' }, ctx.pki.signer);
 */
export type { ExportFormat, ExportLang, SignedExport, ControllerDetails } from './export.types';
export { exportReport } from './export-report';
export { answerLetter } from './answer-letter';
/** Default ControllerDetails of a tenant ('riga' → { name: 'Rīgas valstspilsētas pašvaldība' }). */
export { controllerDetails } from './controller-name';
