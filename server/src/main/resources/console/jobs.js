// Jobs: this key's videos, paged and filtered by status and model; details, cancel and delete.
import { el, clear, usd } from './dom.js';
import { api, servedModels, watchVideo } from './api.js';
import { resultCard, cost } from './result.js';

const PAGE = 20;
const STATUSES = ['', 'queued', 'in_progress', 'completed', 'failed', 'cancelled'];

export async function jobsPage(root) {
  const status = el('select', { id: 'jobs-status' }, STATUSES.map(s => el('option', { value: s }, s || 'any status')));
  const model = el('select', { id: 'jobs-model' }, el('option', { value: '' }, 'any model'));
  const body = el('tbody');
  const table = el('table', { id: 'jobs-table' },
    el('thead', {}, el('tr', {}, ['Created', 'Video', 'Model', 'Status', 'Progress', 'Cost'].map(h => el('th', {}, h)))), body);
  const first = el('button', { type: 'button', id: 'jobs-first' }, 'First page');
  const next = el('button', { type: 'button', id: 'jobs-next', disabled: true }, 'Next page');
  const note = el('span', { class: 'muted', role: 'status' });
  const detail = el('section', { id: 'job-detail', class: 'panel', hidden: true });
  root.append(el('div', { class: 'panel row' }, el('label', {}, 'Status ', status), el('label', {}, 'Model ', model),
    el('button', { type: 'button', id: 'jobs-refresh', onclick: () => load(null) }, 'Refresh'), note), table,
    el('div', { class: 'row' }, first, next), detail);

  let lastId = null;
  status.addEventListener('change', () => load(null));
  model.addEventListener('change', () => load(null));
  first.addEventListener('click', () => load(null));
  next.addEventListener('click', () => load(lastId));

  try {
    for (const m of await servedModels()) model.append(el('option', { value: m.id }, m.id));
  } catch (e) {
    note.textContent = 'Cannot load the models: ' + e.message;
  }
  await load(null);

  async function load(after) {
    const q = new URLSearchParams({ limit: PAGE });
    if (after) q.set('after', after);
    if (status.value) q.set('status', status.value);
    if (model.value) q.set('model', model.value);
    try {
      const page = await api('/v1/videos?' + q);
      clear(body);
      for (const v of page.data) {
        const row = el('tr', { dataset: { videoId: v.id }, class: 'clickable', onclick: () => show(v.id) },
          el('td', {}, new Date(v.created_at * 1000).toLocaleString()), el('td', {}, el('code', {}, v.id)),
          el('td', {}, v.model), el('td', {}, v.framegate.status), el('td', {}, v.progress + '%'), el('td', {}, usd(cost(v))));
        body.append(row);
      }
      if (!page.data.length) body.append(el('tr', {}, el('td', { colspan: 6, class: 'muted' }, 'No videos.')));
      lastId = page.last_id;
      next.disabled = !page.has_more;
      note.textContent = '';
    } catch (e) {
      note.textContent = 'Cannot list: ' + e.message;
    }
  }

  async function show(id) {
    clear(detail).hidden = false;
    let v;
    try {
      v = await api('/v1/videos/' + encodeURIComponent(id));
    } catch (e) {
      detail.append(el('p', {}, e.message));
      return;
    }
    const fg = v.framegate;
    const notes = el('dl', { class: 'notes' });
    for (const [k, val] of Object.entries(fg.notes || {})) {
      if (k !== 'fidelity') notes.append(el('dt', {}, k), el('dd', {}, String(val))); // shown by the result card
    }
    const final = v.status === 'completed' || v.status === 'failed';
    detail.append(
      el('h3', {}, v.id),
      el('dl', {},
        el('dt', {}, 'Model'), el('dd', {}, v.model),
        el('dt', {}, 'Status'), el('dd', { class: 'job-status' }, fg.status + (v.error ? ': ' + v.error.message : '')),
        el('dt', {}, 'Prompt'), el('dd', {}, v.prompt || '-'),
        el('dt', {}, 'Backend'), el('dd', {}, (fg.backend || '-') + (fg.local_render ? ' (local render)' : '')),
        el('dt', {}, 'Channel'), el('dd', {}, fg.channel || '-'),
        el('dt', {}, 'Estimated / cost'), el('dd', {}, usd(fg.estimated_cost_usd) + ' / ' + usd(fg.cost_usd))),
      el('h4', {}, 'Notes (provider, upstream id, failover)'), notes,
      el('div', { class: 'row' },
        el('button', { type: 'button', id: 'job-cancel', disabled: final, onclick: () => act('cancel', v.id) }, 'Cancel'),
        el('button', { type: 'button', id: 'job-delete', class: 'danger', onclick: () => act('delete', v.id) }, 'Delete')),
      v.status === 'completed' && v.video_url ? resultCard(v) : '');
  }

  async function act(what, id) {
    if (what === 'delete' && !confirm('Delete ' + id + ' and its files?')) return;
    try {
      if (what === 'cancel') {
        await api('/v1/videos/' + encodeURIComponent(id) + '/cancel', { method: 'POST' });
        note.textContent = 'cancelling ' + id + '...';
        await watchVideo(id, () => {}); // a running job stops at its next check
        note.textContent = '';
      } else await api('/v1/videos/' + encodeURIComponent(id), { method: 'DELETE' });
    } catch (e) {
      note.textContent = what + ' failed: ' + e.message;
    }
    if (what === 'delete') clear(detail).hidden = true;
    else await show(id);
    await load(null);
  }
}
