/**
 * The subject-request cases page (dashboard/public/cases.html) in a real browser (Debian chromium through
 * playwright-core) against the real app (startSargs, PGlite), signed in as a Riga DPO with password + TOTP (the
 * browser gets that session's cookie): the register and list scoped to Riga, deadlines in Riga time as
 * DD.MM.YYYY HH:MM, overdue in red, registering a request through the form, the case panel with its timeline and
 * actions (note, refused extension with the server's reason, closure), and the English version.
 */
import { type Browser, type Page } from 'playwright-core';
import { collectPageErrors, launchChromium, sessionContext } from '../testing/browser';
import { startSargs, type RunningSargs } from '../testing/start-sargs';
import { enrolUser, signIn } from '../testing/identity-fixture';

jest.setTimeout(120_000);

const DAY = 86_400_000;

/** DD.MM.YYYY HH:MM in Riga time, computed here independently of the page's format.js. */
function rigaLv(iso: string): string {
  const p: Record<string, string> = {};
  for (const x of new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Riga', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(iso)))
    p[x.type] = x.value;
  return `${p.day}.${p.month}.${p.year} ${p.hour}:${p.minute}`;
}

describe('cases page (chromium e2e, real identities)', () => {
  let sargs: RunningSargs;
  let browser: Browser;
  let page: Page;
  let overdueId: string;
  let overdueDue: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    sargs = await startSargs();
    const dpo = await enrolUser(sargs, { tenant: 'riga', username: 'riga.dpo', roles: [{ role: 'dpo', tenant: 'riga' }] });
    const client = await signIn(sargs.url, dpo);
    const svc = sargs.runtime.ctx.cases.service;
    const overdue = await svc.create({ tenant: 'riga', right: 'erasure', receivedAt: new Date(Date.now() - 45 * DAY), requester: { name: 'Ilze Ozola' } }, 'riga.dpo');
    overdueId = overdue.id;
    overdueDue = overdue.deadlines.answerDueAt;
    // A person access report produced for this case (api/reports stores its caseId: here the case reference).
    await sargs.runtime.sql.query(
      `INSERT INTO person_access_reports (id, controller, person, period_from, period_to, generated_by, generated_by_org, case_id, total, content, content_sha256)
       VALUES ('7d0c1f6e-2b7a-4c39-9a43-1d5e8f0a9b21', 'riga', 'pk_0123456789abcdef0123456789abcdef', now() - interval '1 year', now(), 'riga.dpo', 'riga', $1, 0, '{}'::jsonb, 'x')`,
      [overdue.reference],
    );
    await svc.create({ tenant: 'riga', right: 'access', receivedAt: new Date(Date.now() - 1 * DAY), requester: { name: 'Andris Liepa' } }, 'riga.dpo');
    await svc.create({ tenant: 'jelgava', right: 'access', receivedAt: new Date(Date.now() - 1 * DAY), requester: { name: 'Jelgavnieks' } }, 'jelgava.dpo');

    browser = await launchChromium();
    // the page must show Riga time whatever the browser's zone
    page = await (await sessionContext(browser, sargs.url, client.cookie, { timezoneId: 'America/New_York' })).newPage();
    collectPageErrors(page, consoleErrors);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await sargs?.close();
  });

  test('register and list show Riga\'s cases only, in Latvian, Riga time, overdue in red', async () => {
    await page.goto(`${sargs.url}/cases.html`);
    await page.waitForSelector('[data-testid=case-row]');
    expect(await page.getAttribute('html', 'lang')).toBe('lv');
    expect(await page.$$eval('[data-testid=case-row]', (rows) => rows.length)).toBe(2);
    expect(await page.textContent('[data-testid=cases-table]')).not.toContain('jelgava');
    const reg = await page.$$eval('[data-testid=register-row] td', (tds) => tds.map((td) => td.textContent));
    expect(reg).toEqual(['Rīgas valstspilsēta (riga)', '2', '2', '1', '0', '0', '—', '0']);
    // Open cases nearest deadline first: the overdue one leads.
    const first = page.locator('[data-testid=case-row]').first();
    expect(await first.getAttribute('data-id')).toBe(overdueId);
    expect(await first.getAttribute('class')).toBe('overdue');
    expect(await first.locator('[data-testid=due]').textContent()).toBe(rigaLv(overdueDue));
    expect(await first.locator('[data-testid=time-left]').textContent()).toMatch(/^nokavēts par \d+ d\. \d+ st\.$/);
    expect(await first.locator('[data-testid=state]').textContent()).toBe('nokavēts');
    const colour = await first.locator('[data-testid=time-left]').evaluate((td) => getComputedStyle(td).color);
    expect(colour).toBe('rgb(180, 35, 24)');
    expect(await page.locator('[data-testid=case-row]').nth(1).locator('[data-testid=time-left]').textContent()).toMatch(/^atlikušas \d+ d\. \d+ st\.$/);
  });

  test('registers a request through the form; the case panel shows its deadline and timeline', async () => {
    await page.click('[data-testid=new-open]');
    expect(await page.inputValue('[data-testid=n-tenant]')).toBe('riga');
    await page.fill('[data-testid=n-name]', 'Māris Kalns');
    await page.fill('[data-testid=n-code]', '161175-19997');
    await page.selectOption('[data-testid=n-right]', 'access');
    await page.selectOption('[data-testid=n-identity]', 'smart-id');
    await page.click('[data-testid=n-submit]');
    await page.waitForSelector('[data-testid=case-detail]:not([hidden])');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=case-row]').length === 3);
    const title = await page.textContent('[data-testid=d-title]');
    expect(title).toMatch(/^DSP-riga-\d{4}-\d{4} · piekļuve \(15\. p\.\) · riga$/);
    const meta = await page.textContent('[data-testid=d-meta]');
    expect(meta).toContain('personas kods 161175-*****');
    expect(meta).not.toContain('19997');
    expect(meta).toContain('identitāte: Smart-ID, pārbaudīja riga.dpo');
    expect(await page.textContent('[data-testid=d-due]')).toMatch(/^\d\d\.\d\d\.\d{4} 23:59 $/);
    expect(await page.textContent('[data-testid=timeline-entry]')).toMatch(/^\d\d\.\d\d\.\d{4} \d\d:\d\d riga\.dpo: reģistrēta$/);
  });

  test('the overdue case: a note, an extension refused with the server\'s reason, then closure (late)', async () => {
    await page.locator(`[data-testid=case-row][data-id="${overdueId}"]`).click();
    await page.waitForFunction((id) => document.querySelector('[data-testid=d-title]')?.textContent?.startsWith('DSP-riga') && location.hash === `#${id}`, overdueId);
    // The report produced for the case is offered; one click links it.
    expect(await page.textContent('[data-testid=d-reports] li')).toMatch(/^7d0c1f6e-2b7a-4c39-9a43-1d5e8f0a9b21 \(sagatavots šai lietai \d\d\.\d\d\.\d{4} \d\d:\d\d, riga\.dpo\) Piesaistīt$/);
    await page.click('[data-testid=d-reports] li button');
    await page.waitForFunction(() => document.querySelector('[data-testid=d-reports] li')?.textContent?.endsWith(', riga.dpo)') && !document.querySelector('[data-testid=d-reports] li button'));
    await page.fill('[data-testid=d-note]', 'Zvanīts pieprasītājam');
    await page.click('[data-testid=d-note-submit]');
    await page.waitForFunction(() => document.querySelector('[data-testid=timeline-entry]')?.textContent?.endsWith('piezīme — Zvanīts pieprasītājam'));

    await page.fill('[data-testid=d-extend-reason]', 'Sarežģīts pieprasījums par 14 lietotnēm');
    await page.fill('[data-testid=d-extend-notice]', new Date(Date.now() - 2 * DAY).toISOString().slice(0, 16));
    await page.click('[data-testid=d-extend-submit]');
    await page.waitForFunction(() => document.querySelector('[data-testid=d-message]')?.textContent?.startsWith('Neizdevās'));
    expect(await page.textContent('[data-testid=d-message]')).toContain('within one month of receipt');

    await page.selectOption('[data-testid=d-outcome]', 'answered');
    await page.click('[data-testid=d-close-submit]');
    await page.waitForFunction(() => document.querySelector('[data-testid=d-message]')?.textContent === 'Saglabāts.');
    await page.waitForFunction((id) => document.querySelector(`[data-testid=case-row][data-id="${id}"] [data-testid=state]`)?.textContent === 'atbildēts novēloti', overdueId);
    expect(await page.isHidden('[data-testid=d-close-submit]')).toBe(true);
    const kinds = await page.$$eval('[data-testid=timeline-entry]', (li) => li.map((x) => x.textContent ?? ''));
    expect(kinds[0]).toMatch(/riga\.dpo: slēgta \(atbildēts\)$/);
    const audit = (await sargs.runtime.ctx.audit.list(20)).filter((a) => a.target === overdueId).map((a) => `${a.actor} ${a.action}`);
    expect(audit).toEqual(expect.arrayContaining(['riga.dpo case.report_linked', 'riga.dpo case.note_added', 'riga.dpo case.closed']));
  });

  test('switches to English; no script errors', async () => {
    await page.selectOption('[data-testid=lang-select]', 'en');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('h1')).toBe('Subject requests');
    expect(await page.locator(`[data-testid=case-row][data-id="${overdueId}"] [data-testid=state]`).textContent()).toBe('answered late');
    expect(await page.textContent('[data-testid=d-deadlines]')).toContain('Answer due');
    // The only error the browser logged is the refused extension's 400 answer (provoked above).
    expect(consoleErrors).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  });
});
