// The console's shell: the API key field (session storage only) and the three pages, chosen by the URL's #fragment.
import { clear, el } from './dom.js';
import { apiKey, setApiKey, models } from './api.js';
import { tryPage } from './try.js';
import { comparePage } from './compare.js';
import { jobsPage } from './jobs.js';

const PAGES = { try: tryPage, compare: comparePage, jobs: jobsPage };
const keyInput = document.getElementById('api-key');
const keyState = document.getElementById('key-state');
const main = document.getElementById('page');

keyInput.value = apiKey();
let timer = null;
keyInput.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(() => {
    if (keyInput.value.trim() === apiKey()) return;
    setApiKey(keyInput.value.trim());
    render(true);
  }, 300);
});

let renders = 0;

async function render(refreshModels = false) {
  const token = ++renders;
  const name = (location.hash || '#try').slice(1);
  const page = PAGES[name] ? name : 'try';
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.page === page);
  clear(main);
  if (!apiKey()) {
    keyState.textContent = '';
    main.append(el('p', { class: 'panel' }, 'Paste an API key above (`./framegate serve` prints one on its first start; ',
      'make more with `./framegate keys create --name NAME`).'));
    return;
  }
  try {
    await models(refreshModels);
    if (token !== renders) return; // a newer render took over meanwhile
    keyState.textContent = 'key accepted';
  } catch (e) {
    if (token !== renders) return;
    keyState.textContent = e.status === 401 ? 'key refused' : e.message;
    main.append(el('p', { class: 'panel' }, 'The server refused the key: ' + e.message));
    return;
  }
  const root = el('div', { class: 'page', id: 'page-' + page });
  main.append(root);
  await PAGES[page](root);
}

window.addEventListener('hashchange', () => render());
render();
