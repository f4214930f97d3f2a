// The request inputs shared by Try and Compare: prompt, image slots with drag and drop, seconds and size. The form
// follows the rules of the chosen model(s): only slots every model takes are shown, a slot that would break a rule is
// locked, only usable seconds and sizes are offered, and `valid()` is false while any rule is broken.
import { el, clear } from './dom.js';
import { problems, usableOptions, fittingOptions, fixSettings, slotBlocked, slotOffered, slotMax, intersect, secondsOptions, sizeOptions } from './rules.js';

const SLOTS = [
  { slot: 'first_frame', id: 'first-frame', label: 'First frame', hint: 'the video starts here' },
  { slot: 'last_frame', id: 'last-frame', label: 'Last frame', hint: 'the video ends here (same image: a loop)' },
  { slot: 'refs', id: 'reference', label: 'Reference', hint: 'guides the look' },
];
const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'];

export function requestForm(onChange) {
  let models = [];
  const files = { first_frame: [], last_frame: [], refs: [] };
  const prompt = el('textarea', { id: 'prompt', rows: 3, placeholder: 'e.g. slow push through the valley' });
  const seconds = el('select', { id: 'seconds' });
  const size = el('select', { id: 'size' });
  const problemList = el('ul', { id: 'problems', class: 'problems' });
  const ruleList = el('ul', { id: 'rules', class: 'rules muted' });
  const slotViews = {};

  for (const s of SLOTS) {
    const input = el('input', { type: 'file', id: s.id, accept: IMAGE_TYPES.join(',') });
    const preview = el('span', { class: 'previews' });
    const note = el('span', { class: 'note muted' });
    const clearBtn = el('button', { type: 'button', class: 'link', onclick: () => { setFiles(s.slot, []); } }, 'clear');
    const box = el('label', { class: 'drop', for: s.id, dataset: { slot: s.slot } },
      el('strong', {}, s.label), el('span', { class: 'muted' }, ' ' + s.hint), input, preview, note, clearBtn);
    input.addEventListener('change', () => setFiles(s.slot, [...input.files]));
    box.addEventListener('dragover', e => { e.preventDefault(); box.classList.add('over'); });
    box.addEventListener('dragleave', () => box.classList.remove('over'));
    box.addEventListener('drop', e => {
      e.preventDefault();
      box.classList.remove('over');
      if (!input.disabled) setFiles(s.slot, [...e.dataTransfer.files]);
    });
    slotViews[s.slot] = { box, input, preview, note };
  }

  function setFiles(slot, list) {
    const view = slotViews[slot];
    const max = models.length ? slotMax(models, slot) : 1;
    const bad = list.filter(f => !IMAGE_TYPES.includes(f.type));
    files[slot] = list.filter(f => IMAGE_TYPES.includes(f.type)).slice(0, Math.max(1, max));
    view.note.textContent = bad.length ? ' not an image (PNG, JPEG or WebP): ' + bad.map(f => f.name).join(', ') : '';
    if (files[slot].length === 0) view.input.value = '';
    clear(view.preview);
    for (const f of files[slot]) {
      const url = URL.createObjectURL(f);
      view.preview.append(el('img', { src: url, alt: f.name, title: f.name }));
    }
    update('images');
  }

  function state() {
    return {
      slots: { first_frame: files.first_frame.length, last_frame: files.last_frame.length, refs: files.refs.length },
      seconds: seconds.value, size: size.value, prompt: prompt.value,
    };
  }

  function fill(select, values, usable, keep) {
    clear(select);
    for (const v of values) {
      select.append(el('option', { value: v, disabled: !usable.includes(v), selected: v === keep }, select === seconds ? v + ' s' : v));
    }
  }

  // changed: which input the person touched ('seconds', 'size', 'images', 'models'), to keep it when settings clash
  function update(changed) {
    if (!models.length) { onChange(); return; }
    for (const s of SLOTS) {
      const view = slotViews[s.slot];
      const offered = slotOffered(models, s.slot);
      view.box.hidden = !offered;
      if (!offered && files[s.slot].length) { files[s.slot] = []; clear(view.preview); view.input.value = ''; }
      view.input.multiple = offered && slotMax(models, s.slot) > 1;
    }
    let st = state();
    if (changed === 'models' || !seconds.value) {
      const d = models[0];
      st = { ...st, seconds: st.seconds || String(d.seconds.default), size: st.size || d.sizes.default };
    }
    st = fixSettings(models, st, changed === 'seconds' ? 'seconds' : 'size');
    const allSeconds = intersect(models.map(secondsOptions));
    const allSizes = intersect(models.map(sizeOptions));
    // seconds: only what fits the chosen size and images (rules like "1080p only at 8 s" are read that way);
    // sizes: any that some duration allows, and choosing one moves the seconds to a value that fits it
    fill(seconds, allSeconds, fittingOptions(models, st, 'seconds'), st.seconds);
    fill(size, allSizes, usableOptions(models, st, 'size'), st.size);
    st = state();
    for (const s of SLOTS) {
      const view = slotViews[s.slot];
      const full = files[s.slot].length >= slotMax(models, s.slot);
      const blocked = !full && slotBlocked(models, st, s.slot);
      view.input.disabled = blocked;
      view.box.classList.toggle('blocked', blocked);
      view.box.title = blocked ? 'not with the images already chosen (see the model rules)' : '';
    }
    clear(ruleList);
    for (const m of models) for (const r of m.rules || []) ruleList.append(el('li', {}, (models.length > 1 ? m.id + ': ' : '') + r.because));
    clear(problemList);
    for (const m of models) for (const p of problems(m, st)) problemList.append(el('li', {}, p.message));
    onChange();
  }

  seconds.addEventListener('change', () => update('seconds'));
  size.addEventListener('change', () => update('size'));
  prompt.addEventListener('input', () => update('prompt'));

  const node = el('div', { class: 'request' },
    el('label', { class: 'block' }, 'Prompt', prompt),
    el('div', { class: 'slots' }, SLOTS.map(s => slotViews[s.slot].box)),
    el('div', { class: 'row' }, el('label', {}, 'Seconds ', seconds), el('label', {}, 'Size ', size)),
    ruleList, problemList);

  return {
    node,
    setModels(list) { models = list; update('models'); },
    valid() { return models.length > 0 && models.every(m => problems(m, state()).length === 0); },
    summary() { return state(); },
    /** The multipart create request for one model (Framegate's frame_images / input_references fields). */
    formData(model) {
      const fd = new FormData();
      fd.append('model', model.id);
      if (prompt.value.trim()) fd.append('prompt', prompt.value.trim());
      fd.append('seconds', seconds.value);
      fd.append('size', size.value);
      let i = 0;
      for (const [slot, type] of [['first_frame', 'first_frame'], ['last_frame', 'last_frame']]) {
        for (const f of files[slot]) {
          fd.append(`frame_images[${i}][file]`, f, f.name);
          fd.append(`frame_images[${i}][frame_type]`, type);
          i++;
        }
      }
      files.refs.forEach((f, j) => fd.append(`input_references[${j}][file]`, f, f.name));
      return fd;
    },
  };
}
