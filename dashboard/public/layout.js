// The top bar every page shares: the brand, the page's links, the language picker and, on the overview, sign-out.
// A page leaves an empty <header class="topbar" data-topbar="…"> and its module imports this one first: the bar is
// built at import time, before the page's own code looks up #lang or translates [data-i18n] (the Latvian text here is
// what a page shows before that). Built with DOM calls and textContent only.
//   data-topbar="plain"  brand and tagline (sign-in, enrolment)
//   data-topbar="home"   brand and tagline; links to every page and sign-out (the overview)
//   data-topbar="back"   brand with the links in data-nav (default: the overview)
// data-nav lists link names (overview, incidents); data-current names the page's own link (aria-current="page").

import { el } from './dom.js';
import { LANGUAGES } from './i18n.js';

const LINKS = {
  overview: { href: 'index.html', key: 'nav.overview', text: 'Pārskats' },
  alerts: { href: 'alerts.html', key: 'nav.alerts', text: 'Brīdinājumi' },
  incidents: { href: 'incidents.html', key: 'nav.incidents', text: 'Incidenti' },
  municipality: { href: 'municipality.html', key: 'nav.municipality', text: 'Iedzīvotāju dati' },
  reports: { href: 'reports.html', key: 'nav.reports', text: 'Piekļuve personas datiem' },
  cases: { href: 'cases.html', key: 'nav.cases', text: 'Datu subjektu pieprasījumi' },
  mfa: { href: 'mfa.html', key: 'nav.mfa', text: 'MFA pārklājums' },
  watchlist: { href: 'watchlist.html', key: 'nav.watchlist', text: 'Novērošanas saraksts' },
};
const HOME_LINKS = ['alerts', 'watchlist', 'incidents', 'municipality', 'reports', 'cases', 'mfa'];


function link(name, attrs = {}) {
  const l = LINKS[name];
  if (!l) throw new Error(`layout.js: unknown link ${name}`);
  return el('a', { href: l.href, 'data-i18n': l.key, ...attrs }, l.text);
}

function languagePicker() {
  const label = el('label', { for: 'lang', class: 'lang-label', 'data-i18n': 'lang.label' }, 'Valoda');
  const select = el('select', { id: 'lang', 'data-testid': 'lang-select' });
  select.append(el('option', { value: 'lv', lang: 'lv' }, 'Latviešu'), el('option', { value: 'en', lang: 'en' }, 'English'));
  return [label, select];
}

/**
 * Calls `apply(lang)` whenever a language is picked in the bar, after remembering it for the next page
 * (i18n.js initialLanguage reads it back); anything but a known language is ignored.
 */
export function onLanguagePicked(apply) {
  const select = document.getElementById('lang');
  select.addEventListener('change', () => {
    if (!LANGUAGES.includes(select.value)) return;
    localStorage.setItem('sargs.lang', select.value);
    apply(select.value);
  });
}

/** Fills one `header[data-topbar]` element. */
export function renderTopbar(header) {
  const variant = header.dataset.topbar || 'back';
  const brand = el('div', { class: 'brand' });
  brand.append(el('span', { class: 'logo', 'aria-hidden': 'true' }, '◆'), el('span', { class: 'name' }, 'Sargs'));
  const tools = el('div', { class: 'tools' });
  if (variant === 'plain' || variant === 'home') {
    brand.append(el('span', { class: 'tagline', 'data-i18n': 'app.tagline' }, 'VPS drošības un atbilstības uzraudzība'));
  }
  if (variant === 'home') {
    for (const name of HOME_LINKS) tools.append(link(name, { class: 'nav-link', 'data-testid': `nav-${name}` }));
  } else if (variant === 'back') {
    const nav = el('nav', { 'aria-label': 'Sargs' });
    const names = (header.dataset.nav || 'overview').split(/\s+/).filter(Boolean);
    names.forEach((name, i) => {
      if (i > 0) nav.append(' ');
      nav.append(link(name, header.dataset.current === name ? { 'aria-current': 'page' } : {}));
    });
    brand.append(nav);
  }
  tools.append(...languagePicker());
  if (variant === 'home') {
    tools.append(el('button', { type: 'button', id: 'signout', class: 'button quiet', 'data-testid': 'signout', 'data-i18n': 'signout', hidden: '' }, 'Iziet'));
  }
  header.replaceChildren(brand, tools);
}

for (const header of document.querySelectorAll('header[data-topbar]')) renderTopbar(header);
