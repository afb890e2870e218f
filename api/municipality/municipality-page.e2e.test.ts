/**
 * The municipality view page (dashboard/public/municipality.html) in a real browser (Debian chromium through
 * playwright-core) against the real app (startSargs, embedded PGlite) with real identities: a Jūrmala reviewer signed
 * in with password and TOTP (the session cookie handed to the browser). Latvian by default with DD.MM.YYYY and Riga
 * time, English on switch, outliers highlighted with their reason, drill-down to the events, the monthly report, and
 * a Riga reviewer refused Jūrmala's view. Strict CSP: any inline script or style would show as a console error.
 */
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { collectPageErrors, launchChromium, sessionContext } from '../testing/browser';
import { startSargs, type RunningSargs } from '../testing/start-sargs';
import { enrolUser, eventually, httpClient, signIn } from '../testing/identity-fixture';
import { loadTenants } from '../../core/tenants';
import { CROSS_ACCESS_LINES } from './cross-access-fixture';
import { createMonthlyReports } from './monthly-reports';

jest.setTimeout(180_000);


describe('municipality view page (chromium e2e)', () => {
  let sargs: RunningSargs;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  /** A browser context signed in as `user` (the cookie of a real password + TOTP sign-in). */
  async function contextOf(user: Parameters<typeof signIn>[1]): Promise<BrowserContext> {
    const client = await signIn(sargs.url, user);
    return sessionContext(browser, sargs.url, client.cookie, { locale: 'lv-LV', timezoneId: 'UTC' });
  }

  beforeAll(async () => {
    sargs = await startSargs();
    const collector = httpClient(sargs.url, { bearer: sargs.collectorToken });
    const r = await collector.call('post', '/api/v1/ingest?parser=vps_audit', undefined, { raw: CROSS_ACCESS_LINES.join('\n') + '\n', contentType: 'application/x-ndjson' });
    expect(r.status).toBe(200);
    const admin = httpClient(sargs.url, { bearer: sargs.adminToken });
    await eventually(async () => (await admin.call('get', '/api/v1/events/count?from=2026-03-01T00:00:00Z&to=2026-10-01T00:00:00Z')).body?.count === CROSS_ACCESS_LINES.length);
    const reviewer = await enrolUser(sargs, { tenant: 'jurmala', username: 'page-reviewer', roles: [{ role: 'municipality-reviewer', tenant: 'jurmala' }] });
    // The September report, built and delivered through the job queue as on 1 October.
    const tenants = new Map([...loadTenants().byId].filter(([id]) => id === 'jurmala'));
    const reports = createMonthlyReports({ sql: sargs.runtime.sql, jobs: sargs.runtime.jobs, events: sargs.runtime.ctx.events, tenants, audit: sargs.runtime.ctx.audit, publicUrl: sargs.url });
    await reports.tick(new Date('2026-10-01T07:00:00Z'));
    const worker = reports.process();
    await eventually(async () => (await reports.deliveries('jurmala', '2026-09')).length === 1);
    await worker.close();

    browser = await launchChromium();
    page = await (await contextOf(reviewer)).newPage();
    collectPageErrors(page, consoleErrors);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await sargs?.close();
  });

  test('Latvian by default: the period in DD.MM.YYYY, rows by organisation × application × category, outliers highlighted with their reason', async () => {
    await page.goto(`${sargs.url}/municipality.html?tenant=jurmala&month=2026-09`);
    await page.waitForSelector('[data-testid=mv-row]');
    expect(await page.getAttribute('html', 'lang')).toBe('lv');
    expect(await page.textContent('[data-testid=mv-summary]')).toBe('Jūrmalas valstspilsēta: 01.09.2026–30.09.2026 · piekļuves: 68 · organizācijas: 3 · ar novirzēm: 2');
    const rows = await page.$$eval('[data-testid=mv-row]', (trs) =>
      trs.map((tr) => [tr.getAttribute('data-outlier') ?? '', ...Array.from(tr.querySelectorAll('td'), (td) => td.textContent)]),
    );
    expect(rows).toEqual([
      ['true', 'Rīgas valstspilsēta', 'cita pašvaldība', 'SOPA', 'sociālā palīdzība', '60', '60', '3', '6× pret savu 6 mēnešu mediānu (10)personas: 6× pret savu 6 mēnešu mediānu (10)', 'Notikumi'],
      ['', 'Valsts ieņēmumu dienests', 'valsts iestāde', 'NINO', 'nodokļi', '5', '5', '1', '', 'Notikumi'],
      ['true', 'Valsts policija', 'valsts iestāde', 'ENZ', 'transportlīdzekļi', '3', '3', '1', 'jauns: iepriekšējo 6 mēnešu laikā nav piekļuvis', 'Notikumi'],
    ]);
    // The chart (chart.js) describes its bars for screen readers, outliers with their reason.
    await page.waitForFunction(() => !!document.querySelector('[data-testid=chart-org]')?.getAttribute('aria-label'));
    expect(await page.getAttribute('[data-testid=chart-org]', 'aria-label')).toBe(
      'Rīgas valstspilsēta: 60 (6× pret savu 6 mēnešu mediānu (10); personas: 6× pret savu 6 mēnešu mediānu (10)); Valsts ieņēmumu dienests: 5; Valsts policija: 3 (jauns: iepriekšējo 6 mēnešu laikā nav piekļuvis)',
    );
    expect(await page.getAttribute('[data-testid=mv-csv]', 'href')).toBe('/api/v1/municipality/jurmala/cross-access.csv?month=2026-09&lang=lv');
    const untranslated = await page.$$eval('[data-i18n]', (els) => els.filter((e) => e.textContent === (e as HTMLElement).dataset.i18n).map((e) => (e as HTMLElement).dataset.i18n));
    expect(untranslated).toEqual([]);
  });

  test('drill-down lists the events of a row in Riga time, page by page', async () => {
    await page.click('[data-testid=mv-row]:first-child [data-testid=mv-drill]');
    await page.waitForSelector('[data-testid=ev-panel]:not([hidden]) [data-testid=ev-row]');
    expect(await page.textContent('[data-testid=ev-title]')).toBe('Rīgas valstspilsēta · SOPA · sociālā palīdzība');
    expect(await page.textContent('[data-testid=ev-total]')).toBe('Rādīti 50 no 60');
    const first = await page.$$eval('[data-testid=ev-row]:first-child td', (tds) => tds.map((td) => td.textContent));
    // 15:55 +03:00 in the log is 15:55 in Riga (summer time), whatever the browser's own zone (UTC here).
    expect(first.slice(0, 5)).toEqual(['15.09.2026 15:55', 'riga.user1', 'SOPA', 'view', 'sociālā palīdzība']);
    expect(first[6]).not.toMatch(/32\d{4}-\d{5}/);
    await page.click('[data-testid=ev-more]');
    await page.waitForFunction(() => document.querySelector('[data-testid=ev-total]')?.textContent === 'Rādīti 60 no 60');
    expect(await page.isHidden('[data-testid=ev-more]')).toBe(true);
  });

  test('English on switch: headings, kinds and the reasons', async () => {
    await page.selectOption('[data-testid=lang-select]', 'en');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('h1')).toBe('Other organisations’ access to residents’ data');
    const first = await page.$$eval('[data-testid=mv-row]:first-child td', (tds) => tds.map((td) => td.textContent));
    expect(first.slice(1, 4)).toEqual(['other municipality', 'SOPA', 'social assistance']);
    expect(first[7]).toBe('6× its 6-month median (10)distinct persons 6× its 6-month median (10)');
    expect(await page.textContent('[data-testid=mv-row]:nth-child(3) [data-testid=mv-reason]')).toBe('new: never accessed before (previous 6 months)');
    expect(await page.getAttribute('[data-testid=mv-csv]', 'href')).toContain('lang=en');
    // Every translated element has its English string (a missing one would show its key).
    const untranslated = await page.$$eval('[data-i18n]', (els) => els.filter((e) => e.textContent === (e as HTMLElement).dataset.i18n).map((e) => (e as HTMLElement).dataset.i18n));
    expect(untranslated).toEqual([]);
    await page.selectOption('[data-testid=lang-select]', 'lv');
  });

  test('the monthly report delivered to the reviewer is listed and opens the stored view', async () => {
    const rep = await page.$$eval('[data-testid=rep-row] td', (tds) => tds.map((td) => td.textContent));
    expect(rep.slice(0, 4)).toEqual(['01.09.2026–30.09.2026', 'gatavs', '68', '2']);
    expect(rep[4]).toMatch(/^\d\d\.\d\d\.\d{4} \d\d:\d\d$/);
    await page.click('[data-testid=rep-open]');
    await page.waitForFunction(() => document.querySelector('[data-testid=mv-summary]')?.textContent?.includes('Saglabātais 2026-09 pārskats'));
    expect(await page.$$eval('[data-testid=mv-row]', (trs) => trs.length)).toBe(3);
  });

  test('a period picked by dates; a reviewer of Riga is refused Jūrmala\'s view', async () => {
    await page.selectOption('[data-testid=f-mode]', 'range');
    await page.fill('[data-testid=f-from]', '2026-09-15');
    await page.fill('[data-testid=f-to]', '2026-09-15');
    await page.click('[data-testid=mv-show]');
    await page.waitForFunction(() => document.querySelector('[data-testid=mv-summary]')?.textContent?.includes('15.09.2026–15.09.2026'));
    expect(page.url()).toContain('from=2026-09-15&to=2026-09-15');

    const riga = await enrolUser(sargs, { tenant: 'riga', username: 'page-riga', roles: [{ role: 'municipality-reviewer', tenant: 'riga' }] });
    const other = await (await contextOf(riga)).newPage();
    await other.goto(`${sargs.url}/municipality.html?tenant=jurmala&month=2026-09`);
    await other.waitForSelector('[data-testid=mv-error]:not([hidden])');
    expect(await other.textContent('[data-testid=mv-error]')).toBe('Neizdevās: tenant: not permitted to review jurmala');
    expect(await other.$$('[data-testid=mv-row]')).toHaveLength(0);
    expect(consoleErrors.filter((e) => !/status of 403/.test(e))).toEqual([]);
  });
});
