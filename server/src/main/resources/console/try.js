// Try: one model, the form follows its rules; submit, watch progress, play the result.
import { el } from './dom.js';
import { api, servedModels, watchVideo } from './api.js';
import { requestForm } from './form.js';
import { resultCard } from './result.js';

export async function tryPage(root) {
  const select = el('select', { id: 'model' });
  const submit = el('button', { id: 'submit', type: 'submit', disabled: true }, 'Generate');
  const progress = el('progress', { id: 'progress', max: 100, value: 0, hidden: true });
  const status = el('span', { id: 'status', class: 'muted', role: 'status' });
  const results = el('div', { id: 'results', class: 'results' });
  let list = [];
  const form = requestForm(() => { submit.disabled = !form.valid(); });
  const model = () => list.find(m => m.id === select.value);

  root.append(el('form', { class: 'panel', id: 'try-form', onsubmit: e => { e.preventDefault(); go(); } },
    el('label', { class: 'block' }, 'Model ', select, el('span', { id: 'model-note', class: 'muted' })),
    form.node, el('div', { class: 'row' }, submit, progress, status)), results);

  select.addEventListener('change', () => { form.setModels([model()]); describe(); });
  function describe() {
    const m = model();
    document.getElementById('model-note').textContent = m ? ' ' + m.description + (m.framegate.local_render ? ' (rendered on this server)' : '') : '';
  }

  try {
    list = await servedModels();
  } catch (e) {
    status.textContent = 'Cannot load the models: ' + e.message;
    return;
  }
  for (const m of list) select.append(el('option', { value: m.id }, m.id));
  if (list.some(m => m.id === 'framegate-local')) select.value = 'framegate-local';
  form.setModels([model()]);
  describe();

  async function go() {
    if (!form.valid()) return;
    submit.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    status.textContent = 'sending...';
    const started = performance.now();
    try {
      const created = await api('/v1/videos', { method: 'POST', body: form.formData(model()) });
      const done = await watchVideo(created.id, v => {
        progress.value = v.progress || 0;
        status.textContent = `${v.id}: ${v.status} ${v.progress || 0}%`;
      });
      if (done.status === 'completed') {
        results.prepend(resultCard(done, { wallMs: performance.now() - started }));
      } else {
        status.textContent = `${done.id}: failed: ${done.error ? done.error.message : 'unknown error'}`;
      }
    } catch (e) {
      status.textContent = 'Refused: ' + e.message;
    } finally {
      submit.disabled = !form.valid();
    }
  }
}
