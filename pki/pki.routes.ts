import type { AppContext } from '../api/app-context';
import { defineRoutes } from '../api/route';

const DAY = 86_400_000;

/**
 * The platform PKI over HTTP: the root CA certificate for anyone who verifies a signed export (public), and the
 * certificate inventory for administrators and auditors.
 */
export function pkiRoutes(ctx: Pick<AppContext, 'pki'>) {
  return defineRoutes([
    {
      method: 'get',
      path: '/api/v1/pki/ca.pem',
      permission: 'public',
      summary: 'The root CA certificate that signed exports verify against (openssl cms -verify -CAfile ca.pem)',
      tags: ['pki'],
      openapi: { responses: { '200': { description: 'PEM certificate', content: { 'application/x-pem-file': {} } } } },
      async handler(_req, res) {
        res
          .type('application/x-pem-file')
          .set('Content-Disposition', 'inline; filename="sargs-ca.pem"')
          .set('Cache-Control', 'public, max-age=3600')
          .send(await ctx.pki.signer.caCertificate());
      },
    },
    {
      method: 'get',
      path: '/api/v1/pki/certificates',
      permission: 'certificates:read',
      summary: 'Certificate inventory: the root CA and document-signing certificates with serials, validity and fingerprints',
      tags: ['pki'],
      openapi: {
        responses: {
          '200': {
            description: 'Certificates, each with purpose, subject, issuer, serial, notBefore, notAfter, sha256Fingerprint, keyAlgorithm, source, status and daysLeft',
          },
        },
      },
      async handler(_req, res) {
        const now = Date.now();
        const certificates = (await ctx.pki.signer.inventory()).map((c) => {
          const left = (Date.parse(c.notAfter) - now) / DAY;
          const status = Date.parse(c.notBefore) > now ? 'not-yet-valid' : left < 0 ? 'expired' : left < 30 ? 'expiring' : 'valid';
          return { ...c, status, daysLeft: Math.floor(left) };
        });
        res.json({ certificates });
      },
    },
  ]);
}
