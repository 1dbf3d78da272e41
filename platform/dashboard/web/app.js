// The dashboard's shell: the token (asked once, kept in sessionStorage), the pages by URL hash, errors in place.
import { ApiError, get, token } from './api.js';
import { h } from './dom.js';
import { mayListReports, mayListRuns, mayOperate } from './access.js';
import { clusterPage } from './cluster-page.js';
import { podsPage } from './pods-page.js';
import { runsPage } from './runs-page.js';
import { comparePage } from './compare-page.js';
import { reportsPage } from './reports-page.js';
import { operatePage } from './operate-page.js';

const PAGES = { cluster: clusterPage, pods: podsPage, runs: runsPage, compare: comparePage, reports: reportsPage, operate: operatePage };
const main = document.getElementById('main');
const who = document.getElementById('who');
const logout = document.getElementById('logout');

function loginForm(message) {
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true });
  const form = h(
    'form',
    { class: 'login' },
    h('h1', {}, 'Log in to the Anvil dashboard'),
    h('label', { for: 'token' }, 'API token (from anvil token create USER, or the first admin token anvil serve printed)'),
    input,
    message ? h('p', { class: 'error', role: 'alert' }, message) : null,
    h('button', { type: 'submit' }, 'Log in'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    token.set(input.value.trim());
    void show();
  });
  main.replaceChildren(form);
  input.focus();
}

/** The page the hash names (#/cluster by default), after checking the token with /whoami. */
async function show() {
  if (!token.get()) return loginForm();
  let me;
  try {
    me = await get('whoami');
  } catch (e) {
    token.clear();
    return loginForm(e instanceof ApiError ? e.message : String(e));
  }
  who.textContent = `${me.user} (${me.roles.join(', ')})`;
  logout.hidden = false;
  // #/page or #/page/rest (a run's id): deep links and reloads keep the page.
  const [first, ...rest] = location.hash.replace(/^#\//, '').split('?')[0].split('/');
  const name = PAGES[first] ? first : 'cluster';
  const page = PAGES[name];
  // Reports are the cluster's view; runs also show to a tenant's viewers (the API lists them their tenant's runs).
  for (const page of ['runs', 'compare']) document.querySelector(`nav a[data-page=${page}]`).hidden = !mayListRuns(me);
  document.querySelector('nav a[data-page=reports]').hidden = !mayListReports(me);
  document.querySelector('nav a[data-page=operate]').hidden = !mayOperate(me);
  for (const a of document.querySelectorAll('nav a')) {
    if (a.dataset.page === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  main.replaceChildren(h('p', { class: 'note' }, 'Loading…'));
  try {
    main.replaceChildren(...(await page(main.clientWidth, me, rest.join('/'))));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      token.clear();
      return loginForm(e.message);
    }
    main.replaceChildren(h('p', { class: 'error', role: 'alert' }, e instanceof Error ? e.message : String(e)));
  }
}

logout.addEventListener('click', () => {
  token.clear();
  who.textContent = '';
  logout.hidden = true;
  loginForm();
});
window.addEventListener('hashchange', () => void show());
void show();
