/**
 * The enrolment and sign-in pages in a real browser (Debian chromium through playwright-core) against the account
 * routes on PGlite: enrol with a password and an authenticator app (codes computed with otplib), see the recovery
 * codes once, sign in with password + TOTP; then enrol a passkey with a CDP virtual authenticator (user
 * verification on) and sign in with it.
 */
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium } from '../../testing/browser';
import { openTestSql } from '../../../core/testing/services';
import type { SqlClient } from '../../../core/sql/sql-client';
import { startAccountsApp } from './accounts-test-app';

const PASSWORD = 'seven green herons over Gauja';

describe('sign-in and enrolment pages (chromium e2e)', () => {
  let sql: SqlClient;
  let drop: () => Promise<void>;
  let app: Awaited<ReturnType<typeof startAccountsApp>>;
  let browser: Browser;
  const errors: string[] = [];

  beforeAll(async () => {
    ({ sql, drop } = await openTestSql('pglite'));
    app = await startAccountsApp(sql);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await drop?.();
  });

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.addInitScript(() => localStorage.setItem('sargs.lang', 'en'));
    return { context, page };
  }

  async function signInForm(page: Page, username: string) {
    await page.goto(`${app.pageUrl}/signin.html`);
    await page.getByTestId('signin-tenant').fill('zzdats');
    await page.getByTestId('signin-username').fill(username);
    await page.getByTestId('signin-password').fill(PASSWORD);
    await page.getByTestId('signin-password-submit').click();
    await page.getByTestId('signin-factor-step').waitFor();
  }

  it('enrols a password and an authenticator app, shows recovery codes once, signs in with a code', async () => {
    const { enrolment } = await app.accounts.createUser({ tenant: 'zzdats', username: 'marta', displayName: 'Marta Kalniņa' }, { name: 'test' });
    const { context, page } = await newPage();
    await page.goto(enrolment.url);
    await page.getByTestId('enrol-password-step').waitFor();
    // the greeting is filled once the page has fetched the link's details (after the load event)
    await page.waitForFunction((s) => document.querySelector('[data-testid=enrol-hello]')?.textContent?.includes(s), 'Marta Kalniņa (zzdats)');
    expect(await page.getByTestId('enrol-hello').textContent()).toContain('Marta Kalniņa (zzdats)');
    await page.getByTestId('enrol-password').fill('password12345');
    await page.getByTestId('enrol-password-repeat').fill('password12345');
    await page.getByTestId('enrol-password-submit').click();
    await page.waitForFunction(() => (document.querySelector('[data-testid=enrol-error]')?.textContent ?? '').includes('common or breached'));
    await page.getByTestId('enrol-password').fill(PASSWORD);
    await page.getByTestId('enrol-password-repeat').fill(PASSWORD);
    await page.getByTestId('enrol-password-submit').click();
    await page.getByTestId('enrol-totp-start').click();
    await page.getByTestId('enrol-totp-secret').waitFor();
    const secret = (await page.getByTestId('enrol-totp-secret').textContent())!.replace(/\s+/g, '');
    expect(await page.getByTestId('enrol-totp-uri').getAttribute('href')).toMatch(/^otpauth:\/\/totp\/Sargs:/);
    await page.getByTestId('enrol-totp-code').fill(await app.totp(secret));
    await page.getByTestId('enrol-totp-confirm').click();
    await page.getByTestId('enrol-finish').click();
    await page.getByTestId('enrol-codes-step').waitFor();
    expect(await page.getByTestId('enrol-recovery-codes').locator('li').count()).toBe(10);
    await page.getByTestId('enrol-codes-saved').check();
    await page.getByTestId('enrol-to-signin').click();

    await page.getByTestId('signin-password-form').waitFor();
    await page.getByTestId('signin-tenant').fill('zzdats');
    await page.getByTestId('signin-username').fill('marta');
    await page.getByTestId('signin-password').fill(PASSWORD);
    await page.getByTestId('signin-password-submit').click();
    await page.getByTestId('signin-totp').waitFor();
    app.clock.offsetMs += 30_000;
    await page.getByTestId('signin-totp').fill(await app.totp(secret));
    await page.getByTestId('signin-totp-submit').click();
    await page.waitForURL(/index\.html$/);
    const session = await page.evaluate(async () => (await fetch('/api/v1/auth/session')).json());
    expect(session).toMatchObject({ stage: 'full', tenant: 'zzdats', user: { username: 'marta' } });
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'sargs_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await context.close();
  });

  it('enrols a passkey with a virtual authenticator and signs in with it', async () => {
    const { enrolment } = await app.accounts.createUser({ tenant: 'zzdats', username: 'oskars', displayName: 'Oskars' }, { name: 'test' });
    const { context, page } = await newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    await page.goto(enrolment.url);
    await page.getByTestId('enrol-password').fill(PASSWORD);
    await page.getByTestId('enrol-password-repeat').fill(PASSWORD);
    await page.getByTestId('enrol-password-submit').click();
    await page.getByTestId('enrol-passkey-start').click();
    await page.getByTestId('enrol-finish').waitFor({ state: 'visible' });
    await page.getByTestId('enrol-finish').click();
    await page.getByTestId('enrol-codes-step').waitFor();

    await signInForm(page, 'oskars');
    await page.getByTestId('signin-passkey').click();
    await page.waitForURL(/index\.html$/);
    const session = await page.evaluate(async () => (await fetch('/api/v1/auth/session')).json());
    expect(session).toMatchObject({ stage: 'full', user: { username: 'oskars' } });
    expect(app.events).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'login-succeeded', username: 'oskars', method: 'webauthn' })]));
    await context.close();
    expect(errors).toEqual([]);
  });
});
