// Compare: the same inputs sent to 2-4 models at once; results side by side, played in sync, with cost and time.
import { el, clear } from './dom.js';
import { api, servedModels, watchVideo } from './api.js';
import { requestForm } from './form.js';
import { resultCard } from './result.js';

const MIN = 2, MAX = 4;

export async function comparePage(root) {
  const picker = el('fieldset', { id: 'compare-models', class: 'models' }, el('legend', {}, `Models (${MIN}-${MAX})`));
  const submit = el('button', { id: 'submit', type: 'submit', disabled: true }, 'Compare');
  const playAll = el('button', { id: 'play-all', type: 'button', disabled: true }, 'Play all from the start');
  const status = el('span', { id: 'status', class: 'muted', role: 'status' });
  const grid = el('div', { id: 'compare-results', class: 'grid' });
  let list = [];
  const form = requestForm(refresh);
  const chosen = () => [...picker.querySelectorAll('input:checked')].map(i => list.find(m => m.id === i.value));

  root.append(el('form', { class: 'panel', onsubmit: e => { e.preventDefault(); go(); } },
    picker, form.node, el('div', { class: 'row' }, submit, playAll, status)), grid);

  function refresh() {
    const n = chosen().length;
    for (const box of picker.querySelectorAll('input')) box.disabled = !box.checked && n >= MAX;
    submit.disabled = n < MIN || !form.valid();
  }

  try {
    list = await servedModels();
  } catch (e) {
    status.textContent = 'Cannot load the models: ' + e.message;
    return;
  }
  for (const m of list) {
    const box = el('input', { type: 'checkbox', class: 'compare-model', value: m.id });
    box.addEventListener('change', () => { form.setModels(chosen()); refresh(); });
    picker.append(el('label', { class: 'check' }, box, ' ' + m.id));
  }
  form.setModels([]);

  async function go() {
    const models = chosen();
    if (models.length < MIN || !form.valid()) return;
    submit.disabled = true;
    playAll.disabled = true;
    clear(grid);
    status.textContent = `sending to ${models.length} models...`;
    const runs = models.map(async m => {
      const progress = el('progress', { max: 100, value: 0 });
      const state = el('span', { class: 'muted' }, 'sending...');
      const col = el('section', { class: 'col', dataset: { model: m.id } }, el('h3', {}, m.id), progress, state);
      grid.append(col);
      const started = performance.now();
      try {
        const created = await api('/v1/videos', { method: 'POST', body: form.formData(m) });
        const done = await watchVideo(created.id, v => {
          progress.value = v.progress || 0;
          state.textContent = `${v.status} ${v.progress || 0}%`;
        });
        if (done.status !== 'completed') {
          state.textContent = 'failed: ' + (done.error ? done.error.message : 'unknown error');
          return;
        }
        progress.remove();
        state.remove();
        col.append(resultCard(done, { wallMs: performance.now() - started }));
      } catch (e) {
        state.textContent = 'refused: ' + e.message;
      }
    });
    await Promise.all(runs);
    status.textContent = 'done';
    syncVideos([...grid.querySelectorAll('video.result')]);
    playAll.disabled = grid.querySelectorAll('video.result').length < 2;
    refresh();
  }

  playAll.addEventListener('click', () => {
    for (const v of grid.querySelectorAll('video.result')) { v.currentTime = 0; v.play(); }
  });
}

/** Playing, pausing or seeking one video does the same to the others; events the sync caused itself are not echoed. */
function syncVideos(videos) {
  const caused = new Map(videos.map(v => [v, new Set()]));
  const cause = (o, type, act) => { caused.get(o).add(type); act(); };
  const mine = (v, type) => caused.get(v).delete(type);
  for (const v of videos) {
    const others = () => videos.filter(o => o !== v);
    v.addEventListener('play', () => {
      if (mine(v, 'play')) return;
      others().forEach(o => {
        cause(o, 'seeked', () => { o.currentTime = v.currentTime; });
        if (o.paused) cause(o, 'play', () => o.play());
      });
    });
    v.addEventListener('pause', () => {
      if (mine(v, 'pause')) return;
      others().forEach(o => { if (!o.paused) cause(o, 'pause', () => o.pause()); });
    });
    v.addEventListener('seeked', () => {
      if (mine(v, 'seeked')) return;
      others().forEach(o => cause(o, 'seeked', () => { o.currentTime = v.currentTime; }));
    });
  }
}
