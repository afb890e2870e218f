/**
 * The incident pages (dashboard/public/incidents.html, incident.html) in a real browser (Debian chromium through
 * playwright-core) against the incident routes on the real SQL stores, outbox and SMTP server (incidents-test-app):
 * the register with the next deadline in Riga time, the time left and the colour of the escalation step; the case
 * page with clocks, fan-out, review and sending, the timeline, English; a municipality officer sees its part only.
 */
import { type Browser, type Page } from 'playwright-core';
import { collectPageErrors, launchChromium } from '../testing/browser';
import type { SqlClient } from '../../core/sql/sql-client';
import { openTestSql } from '../../core/testing/services';
import { waitFor } from '../../core/delivery/testing/delivery-setups';
import { rigaText } from './clock-rules';
import { startIncidentsApp } from './testing/incidents-test-app';

const HOUR = 3_600_000;

jest.setTimeout(90_000);

describe('incident pages (chromium e2e)', () => {
  let sql: SqlClient;
  let drop: () => Promise<void>;
  let app: Awaited<ReturnType<typeof startIncidentsApp>>;
  let browser: Browser;
  let id: string;
  let awareAt: string;
  const consoleErrors: string[] = [];

  const open = async (who: string): Promise<Page> => {
    const page = await browser.newPage();
    collectPageErrors(page, consoleErrors, /status of 4/);
    // The API-token way in (as index.html#token): the test app takes the Bearer value as the user.
    await page.addInitScript((token) => sessionStorage.setItem('sargs.token', token), who);
    return page;
  };

  beforeAll(async () => {
    ({ sql, drop } = await openTestSql('pglite'));
    app = await startIncidentsApp(sql);
    awareAt = new Date(Date.now() - 20 * HOUR).toISOString();
    const i = await app.service.create({
      title: 'Neatļauta piekļuve SOPA', severity: 'high', ownerTenant: 'zzdats', awareAt,
      affected: [
        { tenant: 'riga', applications: ['SOPA'], dataCategories: ['social_assistance'], personsAffected: 120 },
        { tenant: 'jelgava', applications: ['PERS'], dataCategories: ['residence'], personsAffected: 40 },
      ],
    }, 'soc.analyst');
    id = i.id;
    await app.service.classify(id, { answers: { serviceDisruptionHours: 0, usersAffected: 10, financialLossEur: 0, maliciousAccess: true, recurrenceCount: 0, crossBorder: false, personalDataBreach: true, personalDataReasoning: 'residents\' records read' } }, 'soc.analyst');
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await drop?.();
  });

  test('the register shows the next deadline in Riga time, the time left and the escalation colour, in Latvian', async () => {
    const page = await open('soc');
    await page.goto(`${app.url}/incidents.html`);
    await page.waitForSelector('[data-testid=incident-row]');
    expect(await page.getAttribute('html', 'lang')).toBe('lv');
    expect(await page.textContent('[data-testid=incident-row] a')).toBe('Neatļauta piekļuve SOPA');
    // Three clocks end 24 h after becoming aware (the early warning and the processor's notices): the first by key.
    expect(await page.textContent('[data-testid=next-obligation]')).toBe('VDAR: apstrādātājs → pārzinis (jelgava)');
    expect(await page.textContent('[data-testid=next-due]')).toBe(rigaText(new Date(Date.parse(awareAt) + 24 * HOUR).toISOString()));
    expect(await page.textContent('[data-testid=next-left]')).toMatch(/^[34] h \d+ min$/);
    // 20 of 24 hours used: past the 75 % step (the second), before 90 %.
    expect(await page.getAttribute('[data-testid=next-left]', 'class')).toBe('clock clock-step-2');
    await page.close();
  });

  test('the case page: clocks, fan-out, review and send; delivery stops the clock; timeline; English', async () => {
    const page = await open('soc');
    await page.goto(`${app.url}/incident.html?id=${id}`);
    await page.waitForSelector('[data-testid=clock-row]');
    expect(await page.textContent('[data-testid=c-title]')).toBe('Neatļauta piekļuve SOPA');
    const keys = await page.$$eval('[data-testid=clock-row]', (rows) => rows.map((r) => r.getAttribute('data-key')));
    expect(keys).toHaveLength(7);
    expect(await page.getAttribute('[data-key=nis2-notification] [data-testid=clock-left]', 'class')).toBe('clock clock-step-0');

    await page.click('[data-testid=d-fan-out]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=notice]').length === 2);
    const riga = '[data-testid=notice][data-audience=riga]';
    expect(await page.textContent(`${riga} [data-testid=notice-text]`)).toContain('Datu subjekti (aptuveni): 120');
    await page.click(`${riga} [data-testid=notice-approve]`);
    await page.waitForSelector(`${riga} [data-testid=notice-send]`);
    await page.click(`${riga} [data-testid=notice-send]`);
    await page.waitForSelector(`${riga} [data-testid=sending]`);
    await waitFor('mail to riga', async () => app.smtp!.accepted.find((m) => m.envelope.to.includes('dpo@riga.lv')));
    await waitFor('delivered', async () => (await app.service.detail(id)).sendings.find((s) => s.state === 'delivered'));
    await page.reload();
    await page.waitForSelector(`${riga} [data-testid=sending]`);
    expect(await page.textContent(`${riga} [data-testid=sending]`)).toContain('delivered');
    expect(await page.textContent('[data-key="gdpr-processor:riga"] [data-testid=clock-left]')).toBe('izpildīts laikā');
    const kinds = await page.$$eval('[data-testid=timeline-entry]', (li) => li.map((x) => x.getAttribute('data-kind')));
    expect(kinds).toEqual(expect.arrayContaining(['created', 'classified', 'notice_drafted', 'notice_approved', 'notice_sent', 'notice_delivered']));

    await page.fill('[data-testid=note-text]', 'Zvanīts Rīgas DAS');
    await page.click('[data-testid=note-add]');
    await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid=timeline-entry]')).some((x) => x.textContent?.endsWith('soc.analyst: Zvanīts Rīgas DAS')));

    await page.selectOption('[data-testid=lang-select]', 'en');
    expect(await page.textContent('#clocks-h')).toBe('Deadlines');
    expect(await page.textContent('[data-key="gdpr-processor:riga"] [data-testid=clock-left]')).toBe('met in time');
    await page.selectOption('[data-testid=lang-select]', 'lv');
    await page.close();
  });

  test("a municipality officer's case page shows its own part only", async () => {
    const page = await open('riga');
    await page.goto(`${app.url}/incident.html?id=${id}`);
    await page.waitForSelector('[data-testid=clock-row]');
    const keys = await page.$$eval('[data-testid=clock-row]', (rows) => rows.map((r) => r.getAttribute('data-key')));
    expect(keys.sort()).toEqual(['gdpr-dvi:riga', 'gdpr-processor:riga']);
    expect(await page.$$eval('[data-testid=notice]', (n) => n.map((x) => x.getAttribute('data-audience')))).toEqual(['riga']);
    expect(await page.textContent('main')).not.toContain('jelgava');
    expect(consoleErrors).toEqual([]);
    await page.close();
  });
});
