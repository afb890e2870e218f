/**
 * The watch-list page (dashboard/public/watchlist.html) in a real browser (Debian chromium through playwright-core)
 * against the real app (startSargs, PGlite), signed in as a Riga security officer with password + TOTP (the browser
 * gets that session's cookie, so changes go with its CSRF token): add two codes, see two rows in Latvian with Riga
 * time and shortened pseudonyms, switch to English, remove one after the confirm step; an invalid code shows the
 * server's reason in the alert banner and adds nothing; no code is left in the page, the URL or the storage.
 */
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { oldFormatPersonCode } from '../../cli/demo/person-code';
import { collectPageErrors, launchChromium, sessionContext } from '../testing/browser';
import { enrolUser, signIn } from '../testing/identity-fixture';
import { startSargs, type RunningSargs } from '../testing/start-sargs';

jest.setTimeout(120_000);

const A = oldFormatPersonCode('110286');
const B = '327711-40318';
const C = oldFormatPersonCode('250599');
const TYPO = C.slice(0, 11) + String((Number(C[11]) + 1) % 10);
const CODES = [A, B, C, TYPO];

describe('watch-list page (chromium e2e, real identity)', () => {
  let sargs: RunningSargs;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];

  /** Nothing the browser shows or keeps holds a person code, in either form. */
  async function expectNoCodeInBrowser(): Promise<void> {
    const kept = await page.evaluate(() => ({
      text: document.body.innerText,
      url: location.href,
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
      history: history.length,
    }));
    for (const code of CODES) for (const form of [code, code.replace('-', '')]) for (const where of [kept.text, kept.url, kept.local, kept.session]) expect(where).not.toContain(form);
  }
  const rows = () => page.$$eval('[data-testid=wl-row]', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));

  beforeAll(async () => {
    sargs = await startSargs();
    const officer = await enrolUser(sargs, { tenant: 'riga', username: 'riga.officer', roles: [{ role: 'security-officer', tenant: 'riga' }] });
    const client = await signIn(sargs.url, officer);
    browser = await launchChromium();
    context = await sessionContext(browser, sargs.url, client.cookie, { timezoneId: 'America/New_York' }); // Riga time whatever the browser's zone
    page = await context.newPage();
    collectPageErrors(page, consoleErrors, /status of 400/); // the refused code below is one on purpose
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await sargs?.close();
  });

  test('in Latvian: empty list, the officer\'s tenant to choose, the shared top bar with the page marked', async () => {
    await page.goto(`${sargs.url}/watchlist.html`);
    await page.waitForSelector('[data-testid=wl-empty]:not([hidden])');
    expect(await page.getAttribute('html', 'lang')).toBe('lv');
    expect(await page.textContent('[data-testid=wl-heading]')).toBe('Novērošanas saraksts');
    expect(await page.$$eval('[data-testid=wl-tenant] option', (o) => o.map((x) => (x as HTMLOptionElement).value))).toEqual(['riga']);
    expect(await page.textContent('header.topbar [aria-current=page]')).toBe('Novērošanas saraksts');
    expect(await page.getAttribute('[data-testid=wl-codes]', 'autocomplete')).toBe('off');
    expect(await page.getAttribute('[data-testid=wl-codes]', 'spellcheck')).toBe('false');
  });

  test('adds two codes: two rows with pseudonyms, Riga time, the codes cleared and kept nowhere', async () => {
    await page.fill('[data-testid=wl-list]', 'vip');
    await page.fill('[data-testid=wl-note]', 'domes deputāti');
    await page.fill('[data-testid=wl-codes]', `${A}\n\n  ${B}  \n`);
    await page.click('[data-testid=wl-submit]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=wl-row]').length === 2);
    expect(await page.textContent('[data-testid=wl-message]')).toBe('Pievienoti: 2; jau sarakstā: 0.');
    expect(await page.textContent('[data-testid=wl-count]')).toBe('Ierakstu: 2');
    expect(await page.inputValue('[data-testid=wl-codes]')).toBe('');
    expect(await page.isHidden('[data-testid=wl-error]')).toBe(true);

    const { pseudonymiser } = sargs.runtime.ctx;
    const stored = await sargs.runtime.ctx.detection.watchlist.list('*');
    expect(stored.map((e) => e.person)).toEqual([pseudonymiser.person(A), pseudonymiser.person(B)]);
    const got = await rows();
    expect(got).toHaveLength(2);
    for (const [i, r] of got.entries()) {
      expect(r.slice(0, 5)).toEqual(['vip', 'riga', 'visi', 'domes deputāti', stored[i]!.createdBy]);
      expect(r[5]).toMatch(/^\d\d\.\d\d\.\d{4} \d\d:\d\d$/);
      expect(r[6]).toBe(`${stored[i]!.person.slice(0, 11)}…`);
    }
    expect(await page.getAttribute('[data-testid=wl-row] td.mono', 'title')).toBe(stored[0]!.person);
    await expectNoCodeInBrowser();
  });

  test('switches to English: headings, columns and the top bar', async () => {
    await page.selectOption('[data-testid=lang-select]', 'en');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('[data-testid=wl-heading]')).toBe('Watch list');
    expect(await page.$$eval('[data-testid=wl-table] thead th', (th) => th.map((x) => x.textContent))).toEqual(['List', 'Municipality', 'User', 'Note', 'Added by', 'Added', 'Pseudonym', 'Actions']);
    expect(await page.textContent('header.topbar [aria-current=page]')).toBe('Watch list');
    expect(await page.textContent('[data-testid=wl-row] td:nth-child(3)')).toBe('everyone');
  });

  test('removes one entry only after the confirm step', async () => {
    const first = page.locator('[data-testid=wl-row]').first();
    const id = await first.getAttribute('data-id');
    await first.locator('[data-testid=wl-remove]').click();
    // asked first; cancelling keeps it
    await first.locator('[data-testid=wl-confirm]').waitFor();
    expect(await first.textContent()).toContain('Remove this entry?');
    await first.locator('[data-testid=wl-cancel]').click();
    await first.locator('[data-testid=wl-remove]').waitFor();
    expect(await rows()).toHaveLength(2);
    await first.locator('[data-testid=wl-remove]').click();
    await first.locator('[data-testid=wl-confirm]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=wl-row]').length === 1);
    expect(await page.textContent('[data-testid=wl-message]')).toBe('Entry removed.');
    expect(await page.getAttribute('[data-testid=wl-row]', 'data-id')).not.toBe(id);
    const removed = (await sargs.runtime.ctx.audit.list(10)).find((a) => a.action === 'watchlist.removed');
    expect(removed).toMatchObject({ target: `watchlist:${id}` });
  });

  test('an invalid code: the server\'s reason in the alert banner, its line named, nothing added', async () => {
    await page.fill('[data-testid=wl-list]', 'staff');
    await page.fill('[data-testid=wl-codes]', `${C}\n${TYPO}`);
    await page.click('[data-testid=wl-submit]');
    await page.waitForSelector('[data-testid=wl-error]:not([hidden])');
    const banner = (await page.textContent('[data-testid=wl-error]'))!;
    expect(await page.getAttribute('[data-testid=wl-error]', 'role')).toBe('alert');
    expect(banner).toContain('personCodes[1]: person code is not valid: check digit');
    expect(banner).toContain('line 2: person code is not valid: check digit');
    expect(await rows()).toHaveLength(1);
    expect(await sargs.runtime.ctx.detection.watchlist.list('*')).toHaveLength(1);
    // the codes stay in the field to be corrected; the banner does not repeat them
    for (const form of [TYPO, TYPO.replace('-', ''), C, C.replace('-', '')]) expect(banner).not.toContain(form);
    expect(await page.inputValue('[data-testid=wl-codes]')).toBe(`${C}\n${TYPO}`);
    await page.fill('[data-testid=wl-codes]', '');
    await expectNoCodeInBrowser();
  });

  test('with the platform API token (sessionStorage, as index.html#token): every tenant and \'*\' to choose', async () => {
    const admin = await browser.newContext();
    const p = await admin.newPage();
    p.on('pageerror', (e) => consoleErrors.push(String(e)));
    await p.addInitScript((token) => sessionStorage.setItem('sargs.token', token), sargs.adminToken);
    await p.goto(`${sargs.url}/watchlist.html`);
    await p.waitForSelector('[data-testid=wl-row]');
    const options = await p.$$eval('[data-testid=wl-tenant] option', (o) => o.map((x) => [(x as HTMLOptionElement).value, x.textContent]));
    expect(options[0]).toEqual(['*', 'Visas pašvaldības (*)']);
    expect(options.map((o) => o[0])).toEqual(expect.arrayContaining(['riga', 'jelgava']));
    await p.fill('[data-testid=wl-list]', 'protected');
    await p.fill('[data-testid=wl-codes]', B);
    await p.click('[data-testid=wl-submit]');
    await p.waitForFunction(() => document.querySelectorAll('[data-testid=wl-row]').length === 2);
    expect(await p.textContent('[data-testid=wl-row]:last-child td:nth-child(2)')).toBe('Visas pašvaldības (*)');
    expect(await p.inputValue('[data-testid=wl-codes]')).toBe('');
    await admin.close();
    expect(consoleErrors).toEqual([]);
  });
});
