/**
 * The alerts page (dashboard/public/alerts.html) in a real browser (Debian chromium through playwright-core)
 * against the triage routes on the real SQL stores (alerts-test-app.ts): list scoped to the officer's tenant,
 * Riga time in DD.MM.YYYY, the Sigma author, evidence ids, and assign / status / comment through the buttons.
 */
import { type Browser, type Page } from 'playwright-core';
import { collectPageErrors, launchChromium } from '../testing/browser';
import type { SqlClient } from '../../core/sql/sql-client';
import { openTestSql } from '../../core/testing/services';
import { startAlertsApp, testHit } from './alerts-test-app';


describe('alerts page (chromium e2e)', () => {
  let sql: SqlClient;
  let drop: () => Promise<void>;
  let app: Awaited<ReturnType<typeof startAlertsApp>>;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    ({ sql, drop } = await openTestSql('pglite'));
    app = await startAlertsApp(sql);
    await app.alerts.record(
      [
        // 21:00Z on 30 Nov is 23:00 in Riga (EET, UTC+2)
        { hit: testHit('r-export', 'high', 'evt-1', '2026-11-30T21:00:00Z', 'Florian Roth (Nextron Systems)'), tenant: 'riga', entity: 'janis.berzins' },
        { hit: testHit('r-export', 'high', 'evt-2', '2026-11-30T21:05:00Z', 'Florian Roth (Nextron Systems)'), tenant: 'riga', entity: 'janis.berzins' },
        { hit: testHit('r-brute', 'medium', 'evt-3', '2026-11-30T21:02:00Z'), tenant: 'ventspils', entity: '10.0.0.9' },
      ],
      15 * 60_000,
    );
    browser = await launchChromium();
    page = await browser.newPage();
    collectPageErrors(page, consoleErrors);
    // The API-token way in (as index.html#token): the test app takes the Bearer value as the user.
    await page.addInitScript(() => sessionStorage.setItem('sargs.token', 'riga'));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await drop?.();
  });

  test('the Riga officer sees Riga\'s alert only, in Latvian with Riga time, and its charts', async () => {
    await page.goto(`${app.url}/alerts.html`);
    await page.waitForSelector('[data-testid=alert-row]');
    expect(await page.getAttribute('html', 'lang')).toBe('lv');
    const rows = await page.$$eval('[data-testid=alert-row]', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
    expect(rows).toEqual([['30.11.2026 23:05', 'augsts', 'Rule r-export', 'riga', 'janis.berzins', '2', 'atvērts', '—']]);
    expect(await page.textContent('[data-testid=alerts-total]')).toBe('1 no 1');
    expect(await page.getAttribute('[data-testid=chart-level]', 'aria-label')).toBe('augsts: 1');
    expect(await page.getAttribute('[data-testid=chart-tenant]', 'aria-label')).toBe('riga: 1');
  });

  test('detail shows the Sigma author and the evidence; assign, status and comment work and show in the history', async () => {
    await page.click('[data-testid=alert-row]');
    await page.waitForSelector('[data-testid=alert-detail]:not([hidden])');
    expect(await page.textContent('[data-testid=d-author]')).toBe('Sigma noteikuma autors: Florian Roth (Nextron Systems)');
    expect(await page.$$eval('[data-testid=d-evidence] li', (li) => li.map((x) => x.textContent))).toEqual(['evt-1', 'evt-2']);
    await page.fill('[data-testid=d-assignee]', 'riga.officer');
    await page.click('[data-testid=d-assign]');
    await page.waitForFunction(() => document.querySelector('[data-testid=d-message]')?.textContent === 'Saglabāts.');
    await page.selectOption('[data-testid=d-status]', 'in_progress');
    await page.click('[data-testid=d-set-status]');
    await page.waitForFunction(() => document.querySelector('[data-testid=alert-row] td:nth-child(7)')?.textContent === 'tiek izskatīts');
    await page.fill('[data-testid=d-comment]', 'Jautāts nodaļas vadītājam');
    await page.click('[data-testid=d-comment-submit]');
    await page.waitForSelector('[data-testid=d-comments] li');
    expect(await page.textContent('[data-testid=d-comments] li')).toMatch(/^\d\d\.\d\d\.\d{4} \d\d:\d\d riga\.officer: Jautāts nodaļas vadītājam$/);
    const history = await page.$$eval('[data-testid=d-history] li', (li) => li.map((x) => x.textContent ?? ''));
    expect(history.filter((h) => h.includes('riga.officer'))).toHaveLength(3);
    const audit = (await app.audit.list(10)).map((e) => `${e.actor} ${e.action}`);
    expect(audit).toEqual(expect.arrayContaining(['riga.officer alert.assigned', 'riga.officer alert.status_changed', 'riga.officer alert.commented']));
  });

  test('switches to English; no console errors', async () => {
    await page.selectOption('[data-testid=lang-select]', 'en');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('[data-testid=alert-row] td:nth-child(7)')).toBe('in progress');
    expect(await page.textContent('[data-testid=d-author]')).toBe('Sigma rule author: Florian Roth (Nextron Systems)');
    expect(consoleErrors).toEqual([]);
  });
});
