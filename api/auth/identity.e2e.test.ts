/**
 * Identity end to end in a real browser (Debian chromium through playwright-core) against the REAL app: `sargs init`
 * (cli/main.ts, in this process) issues the platform admin's enrolment link, then startSargs serves the same data
 * dir at http://localhost:<port> (WebAuthn refuses an IP address as RP ID). The admin enrols a password and a passkey
 * (CDP virtual authenticator: ctap2, resident key, user verification), sees the recovery codes once, signs in with
 * password + passkey, sees the overview, signs out and signs in again. A second user, created by the admin over the
 * API, enrols an authenticator app on the same pages and signs in with a TOTP code computed from the secret shown.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium } from '../testing/browser';
import { main } from '../../cli/main';
import { startSargs, type RunningSargs } from '../testing/start-sargs';
import { freePort, httpClient, TEST_PASSWORD, totpNow } from '../testing/identity-fixture';

jest.setTimeout(180_000);


/** Runs `sargs init --json` in this process with `env`, returning what it printed as JSON. */
async function sargsInit(env: Record<string, string>): Promise<{ token: string; admin: { tenant: string; username: string; enrolmentUrl: string } }> {
  const keys = [...Object.keys(env), 'DATABASE_URL', 'ELASTICSEARCH_URL', 'REDIS_URL'];
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  const out: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((s: unknown) => void out.push(String(s)));
  try {
    for (const k of ['DATABASE_URL', 'ELASTICSEARCH_URL', 'REDIS_URL']) delete process.env[k];
    Object.assign(process.env, env);
    expect(await main(['init', '--json'])).toBe(0);
  } finally {
    log.mockRestore();
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return JSON.parse(out.join('\n'));
}

describe('identity in a real browser against the real app (chromium e2e)', () => {
  let sargs: RunningSargs;
  let browser: Browser;
  let base: string;
  let init: Awaited<ReturnType<typeof sargsInit>>;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-identity-e2e-'));
    const env = { SARGS_DATA_DIR: dataDir, SARGS_PUBLIC_URL: base, PORT: String(port), LOG_LEVEL: 'silent' };
    init = await sargsInit(env);
    sargs = await startSargs({ dataDir, env: { SARGS_PUBLIC_URL: base, PORT: String(port) } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await sargs?.close();
  });

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.addInitScript(() => localStorage.setItem('sargs.lang', 'en'));
    return { context, page };
  }

  async function setPassword(page: Page) {
    await page.getByTestId('enrol-password-step').waitFor();
    await page.getByTestId('enrol-password').fill(TEST_PASSWORD);
    await page.getByTestId('enrol-password-repeat').fill(TEST_PASSWORD);
    await page.getByTestId('enrol-password-submit').click();
    await page.getByTestId('enrol-factor-step').waitFor();
  }

  async function finishEnrolment(page: Page): Promise<string[]> {
    await page.getByTestId('enrol-finish').waitFor({ state: 'visible' });
    await page.getByTestId('enrol-finish').click();
    await page.getByTestId('enrol-codes-step').waitFor();
    const codes = await page.getByTestId('enrol-recovery-codes').locator('li').allTextContents();
    await page.getByTestId('enrol-codes-saved').check();
    await page.getByTestId('enrol-to-signin').click();
    await page.getByTestId('signin-password-form').waitFor();
    return codes;
  }

  async function passwordStep(page: Page, tenant: string, username: string) {
    if (!page.url().endsWith('/signin.html')) await page.goto(`${base}/signin.html`);
    await page.getByTestId('signin-tenant').fill(tenant);
    await page.getByTestId('signin-username').fill(username);
    await page.getByTestId('signin-password').fill(TEST_PASSWORD);
    await page.getByTestId('signin-password-submit').click();
    await page.getByTestId('signin-factor-step').waitFor();
  }

  const session = (page: Page) => page.evaluate(async () => {
    const r = await fetch('/api/v1/auth/session');
    return { status: r.status, body: await r.json() };
  });

  it('`sargs init` issues an enrolment link for the platform admin on the public URL', () => {
    expect(init.admin).toMatchObject({ tenant: 'zzdats', username: 'admin' });
    expect(init.admin.enrolmentUrl).toMatch(new RegExp(`^${base.replace(/\./g, '\\.')}/enrol\\.html#[A-Za-z0-9_-]{43}$`));
  });

  it('the admin enrols a passkey, signs in with password + passkey, sees the overview, signs out and in again', async () => {
    const { context, page } = await newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });

    await page.goto(init.admin.enrolmentUrl);
    // the greeting is filled once the page has fetched the link's details (after the load event)
    await page.waitForFunction((s) => document.querySelector('[data-testid=enrol-hello]')?.textContent?.includes(s), 'zzdats');
    expect(await page.getByTestId('enrol-hello').textContent()).toContain('zzdats');
    await setPassword(page);
    await page.getByTestId('enrol-passkey-start').click();
    const codes = await finishEnrolment(page);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatchObject({ rpId: 'localhost', isResidentCredential: true });
    // The link is used up: opening it again shows it as invalid.
    await page.goto(init.admin.enrolmentUrl);
    await page.getByTestId('enrol-invalid').waitFor({ state: 'visible' });

    await passwordStep(page, 'zzdats', 'admin');
    await page.getByTestId('signin-passkey').click();
    await page.waitForURL(/index\.html$/);
    await page.getByTestId('overview').waitFor({ state: 'visible' });
    const s = await session(page);
    expect(s).toMatchObject({ status: 200, body: { stage: 'full', tenant: 'zzdats', user: { username: 'admin' } } });
    expect(Date.now() - Date.parse(s.body.mfaAt)).toBeLessThan(60_000);
    expect((await context.cookies()).find((c) => c.name === 'sargs_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    const signCount = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials[0].signCount;

    await page.getByTestId('signout').click();
    await page.waitForURL(/signin\.html$/);
    expect((await session(page)).status).toBe(401);

    await passwordStep(page, 'zzdats', 'admin');
    await page.getByTestId('signin-passkey').click();
    await page.waitForURL(/index\.html$/);
    await page.getByTestId('overview').waitFor({ state: 'visible' });
    expect((await session(page)).body).toMatchObject({ stage: 'full', user: { username: 'admin' } });
    // The second assertion raised the authenticator's counter and the server accepted it.
    expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials[0].signCount).toBeGreaterThan(signCount);
    await context.close();
  });

  it('a second user enrols an authenticator app on the same pages and signs in with a TOTP code', async () => {
    const api = httpClient(sargs.url, { bearer: init.token });
    const created = await api.call('post', '/api/v1/users', { tenant: 'riga', username: 'liga', displayName: 'Līga Ozola' });
    expect(created.status).toBe(201);
    expect(created.body.enrolment.url.startsWith(`${base}/enrol.html#`)).toBe(true);
    expect((await api.call('post', `/api/v1/users/${created.body.user.id}/roles`, { role: 'security-officer', tenant: 'riga' })).status).toBe(201);

    const { context, page } = await newPage();
    await page.goto(created.body.enrolment.url);
    // the greeting is filled once the page has fetched the link's details (after the load event)
    await page.waitForFunction((s) => document.querySelector('[data-testid=enrol-hello]')?.textContent?.includes(s), 'Līga Ozola (riga)');
    expect(await page.getByTestId('enrol-hello').textContent()).toContain('Līga Ozola (riga)');
    await setPassword(page);
    await page.getByTestId('enrol-totp-start').click();
    await page.getByTestId('enrol-totp-secret').waitFor();
    const secret = (await page.getByTestId('enrol-totp-secret').textContent())!.replace(/\s+/g, '');
    expect(await page.getByTestId('enrol-totp-uri').getAttribute('href')).toMatch(/^otpauth:\/\/totp\/Sargs:/);
    await page.getByTestId('enrol-totp-code').fill(await totpNow(secret));
    await page.getByTestId('enrol-totp-confirm').click();
    expect(await finishEnrolment(page)).toHaveLength(10);

    await passwordStep(page, 'riga', 'liga');
    await page.getByTestId('signin-totp').waitFor();
    // The enrolment code used this time step (RFC 6238 §5.2: never again); the next step is within the window.
    await page.getByTestId('signin-totp').fill(await totpNow(secret, 1));
    await page.getByTestId('signin-totp-submit').click();
    await page.waitForURL(/index\.html$/);
    await page.getByTestId('overview').waitFor({ state: 'visible' });
    expect((await session(page)).body).toMatchObject({ stage: 'full', tenant: 'riga', user: { username: 'liga' } });
    await context.close();
    expect(pageErrors).toEqual([]);
  });
});
