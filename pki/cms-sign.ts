import forge from 'node-forge';
import type { KeyObject } from 'node:crypto';
import { forgeSigningKey } from './forge-key';

/** A certificate as node-forge ASN.1 holding its original DER bytes (decodeBitStrings off: nothing re-encoded). */
function certificateAsn1(pem: string): forge.asn1.Asn1 {
  const der = forge.pem.decode(pem)[0].body;
  const node = forge.asn1.fromDer(der, { decodeBitStrings: false } as unknown as boolean);
  if (forge.asn1.toDer(node).getBytes() !== der) throw new Error('certificate does not round-trip through DER');
  return node;
}

/** The issuer Name of a certificate's ASN.1 (TBSCertificate: [0] version?, serialNumber, signature, issuer, …). */
function issuerOf(cert: forge.asn1.Asn1): forge.asn1.Asn1 {
  const tbs = (cert.value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[];
  const hasVersion = tbs[0].tagClass === forge.asn1.Class.CONTEXT_SPECIFIC;
  return tbs[hasVersion ? 3 : 2];
}

/**
 * A detached CMS SignedData (RFC 5652 §5; PKCS#7 v1.5) over `content`: SHA-256, RSASSA-PKCS1-v1_5, the signer's
 * certificate (and chain) included, signed attributes contentType (id-data), signingTime and messageDigest.
 * Returns DER (a `.p7s` file). Verify with:
 *
 *   openssl cms -verify -binary -inform DER -in file.p7s -content file -CAfile ca.pem -out /dev/null
 *
 * node-forge builds and signs the structure; the certificates and the signer's issuer name are then put in as
 * their original DER bytes, because node-forge re-encodes names it has read (a UTF8String such as 'Pašvaldība'
 * would come out encoded twice, breaking the certificate's signature and the signer lookup).
 */
export function signDetached(
  content: Buffer,
  signer: { certificate: string; chain: string[]; key: KeyObject },
  signingTime: Date = new Date(),
): Buffer {
  const cert = forge.pki.certificateFromPem(signer.certificate);
  const p7 = forge.pkcs7.createSignedData();
  p7.content = forge.util.createBuffer(content.toString('binary'));
  p7.addSigner({
    key: forgeSigningKey(signer.key) as unknown as forge.pki.rsa.PrivateKey,
    certificate: cert,
    digestAlgorithm: forge.pki.oids.sha256,
    // In DER order (X.690 §11.6: a SET OF sorts by encoding; these encode as 30 18…, 30 1c…, 30 2f…), so the
    // bytes signed are the bytes a verifier re-encodes.
    authenticatedAttributes: [
      { type: forge.pki.oids.contentType, value: forge.pki.oids.data },
      { type: forge.pki.oids.signingTime, value: signingTime as unknown as string },
      { type: forge.pki.oids.messageDigest },
    ],
  });
  p7.sign({ detached: true });

  const root = p7.toAsn1();
  // ContentInfo { contentType, [0] { SignedData { version, digestAlgorithms, encapContentInfo, signerInfos } } }
  const signedData = ((root.value as forge.asn1.Asn1[])[1].value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[];
  const signerCert = certificateAsn1(signer.certificate);
  const certs = [signerCert, ...signer.chain.map(certificateAsn1)];
  // certificates [0] IMPLICIT CertificateSet, after encapContentInfo (RFC 5652 §5.1).
  signedData.splice(3, 0, forge.asn1.create(forge.asn1.Class.CONTEXT_SPECIFIC, 0, true, certs));
  const signerInfos = signedData[signedData.length - 1].value as forge.asn1.Asn1[];
  const issuerAndSerial = (signerInfos[0].value as forge.asn1.Asn1[])[1].value as forge.asn1.Asn1[];
  issuerAndSerial[0] = issuerOf(signerCert);
  return Buffer.from(forge.asn1.toDer(root).getBytes(), 'binary');
}
