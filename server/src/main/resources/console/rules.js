// A model's rules as GET /v1/videos/models states them, applied in the page the way the server's validator applies
// them (domain RequestValidator), so the form offers only what the server would accept.

const COMMON_SIZES = ['320x180', '640x360', '854x480', '1280x720', '1920x1080', '3840x2160',
  '180x320', '360x640', '720x1280', '1080x1920', '512x512', '1024x1024'];

/** The image role the reference slot fills for a model (the server's mapping of input_references). */
export function referenceRole(model) {
  const roles = model.image_roles || {};
  if (roles.asset) return 'asset';
  if (roles.reference) return 'reference';
  return null;
}

export function secondsOptions(model) {
  const s = model.seconds;
  if (s.allowed) return s.allowed.map(String);
  const out = [];
  for (let i = s.min; i <= s.max; i++) out.push(String(i));
  return out;
}

export function sizeOptions(model) {
  const s = model.sizes;
  if (s.allowed) return s.allowed.slice();
  const fits = COMMON_SIZES.filter(z => {
    const [w, h] = z.split('x').map(Number);
    return w >= s.min_side && h >= s.min_side && w <= s.max_side && h <= s.max_side && (!s.even_sides_only || (w % 2 === 0 && h % 2 === 0));
  });
  if (s.default && !fits.includes(s.default)) fits.unshift(s.default);
  return fits;
}

function gcd(a, b) { return b === 0 ? a : gcd(b, a % b); }

/** {aspect_ratio, resolution} of a size: from the model list when it says, else as VideoSize computes them. */
export function sizeClass(model, size) {
  const known = model.sizes.classes && model.sizes.classes[size];
  if (known) return known;
  const [w, h] = size.split('x').map(Number);
  const r = w / h;
  let aspect;
  if (Math.abs(r - 16 / 9) < 0.005) aspect = '16:9';
  else if (Math.abs(r - 9 / 16) < 0.002) aspect = '9:16';
  else { const g = gcd(w, h); aspect = (w / g) + ':' + (h / g); }
  const short = Math.min(w, h);
  return { aspect_ratio: aspect, resolution: short >= 2160 ? '4k' : short + 'p' };
}

/** The form's image slots (first_frame, last_frame, refs) as the roles the model gets them in. */
export function countsFor(model, slots) {
  const counts = { first_frame: slots.first_frame || 0, last_frame: slots.last_frame || 0 };
  if (slots.refs) {
    const role = referenceRole(model) || 'reference';
    counts[role] = (counts[role] || 0) + slots.refs;
  }
  return counts;
}

/**
 * Every way a request would break the model's rules. state: {slots: {first_frame, last_frame, refs}, seconds, size,
 * prompt}.
 * Each problem: {param, kind, message}; kind is role|count|min|prompt|value|forbid|require.
 */
export function problems(model, state) {
  const out = [];
  const id = model.id;
  const roles = model.image_roles || {};
  const counts = countsFor(model, state.slots);
  const present = new Set(Object.entries(counts).filter(([, n]) => n > 0).map(([r]) => r));
  let total = 0;
  for (const [role, n] of Object.entries(counts)) {
    if (!n) continue;
    total += n;
    if (!roles[role]) out.push({ param: role, kind: 'role', message: `${id} does not take a ${role.replace('_', ' ')} image` });
    else if (n > roles[role].max) out.push({ param: role, kind: 'count', message: `${id} takes at most ${roles[role].max} ${role.replace('_', ' ')} image(s); ${n} given` });
  }
  if (total < (model.min_images || 0)) out.push({ param: 'images', kind: 'min', message: `${id} needs at least ${model.min_images} image(s)` });
  if (model.prompt_required && !(state.prompt || '').trim()) out.push({ param: 'prompt', kind: 'prompt', message: `${id} needs a prompt` });
  if (!secondsOptions(model).includes(String(state.seconds))) out.push({ param: 'seconds', kind: 'value', message: `${id} does not make ${state.seconds} s videos` });
  if (!sizeOptions(model).includes(state.size)) out.push({ param: 'size', kind: 'value', message: `${id} does not make ${state.size}` });
  const cls = sizeClass(model, state.size);
  const params = { seconds: String(state.seconds), size: state.size, aspect_ratio: cls.aspect_ratio, resolution: cls.resolution };
  for (const rule of model.rules || []) {
    const applies = Object.entries(rule.when || {}).every(([k, values]) =>
      k === 'roles' ? values.some(r => present.has(r)) : values.includes(params[k]));
    if (!applies) continue;
    for (const [k, values] of Object.entries(rule.then || {})) {
      if (params[k] !== undefined && !values.includes(params[k])) {
        out.push({ param: k, kind: 'value', message: `${id}: ${k}=${params[k]} is not allowed here: ${rule.because}; allowed: ${values.join(', ')}` });
      }
    }
    for (const r of rule.require_roles || []) {
      if (!present.has(r)) out.push({ param: r, kind: 'require', message: `${id}: ${rule.because}` });
    }
    for (const r of rule.forbid_roles || []) {
      if (present.has(r)) out.push({ param: r, kind: 'forbid', message: `${id}: ${rule.because}` });
    }
  }
  return out;
}

const SETTINGS = p => p.kind === 'value';

/** Whether seconds and size fit every model with these images (ignoring image and prompt problems). */
export function settingsFit(models, state) {
  return models.every(m => !problems(m, state).some(SETTINGS));
}

/** The options of `param` (seconds|size) some choice of the other setting makes valid for every model. */
export function usableOptions(models, state, param) {
  const other = param === 'seconds' ? 'size' : 'seconds';
  const mine = intersect(models.map(m => param === 'seconds' ? secondsOptions(m) : sizeOptions(m)));
  const theirs = intersect(models.map(m => other === 'seconds' ? secondsOptions(m) : sizeOptions(m)));
  return mine.filter(v => theirs.some(o => settingsFit(models, { ...state, [param]: v, [other]: o })));
}

/** The values of `param` that fit every model with the other settings as they are. */
export function fittingOptions(models, state, param) {
  const mine = intersect(models.map(m => param === 'seconds' ? secondsOptions(m) : sizeOptions(m)));
  return mine.filter(v => settingsFit(models, { ...state, [param]: v }));
}

/** The nearest valid (seconds, size) to the current one: keeps what was changed last when it can. */
export function fixSettings(models, state, keep) {
  if (settingsFit(models, state)) return state;
  const seconds = intersect(models.map(secondsOptions));
  const sizes = intersect(models.map(sizeOptions));
  const tries = keep === 'seconds'
    ? [...sizes.map(z => ({ ...state, size: z })), ...seconds.flatMap(s => sizes.map(z => ({ ...state, seconds: s, size: z })))]
    : [...seconds.map(s => ({ ...state, seconds: s })), ...sizes.flatMap(z => seconds.map(s => ({ ...state, seconds: s, size: z })))];
  return tries.find(t => settingsFit(models, t)) || state;
}

/** Whether one more image in `slot` would break a rule outright (a role it does not take, a count, an exclusion). */
export function slotBlocked(models, state, slot) {
  const slots = { ...state.slots, [slot]: (state.slots[slot] || 0) + 1 };
  const hard = p => p.kind === 'role' || p.kind === 'count' || p.kind === 'forbid';
  return models.some(m => problems(m, { ...state, slots }).filter(hard).length > problems(m, state).filter(hard).length);
}

/** Whether every model takes images in `slot` at all (the slot is shown only then). */
export function slotOffered(models, slot) {
  return models.length > 0 && models.every(m => {
    const roles = m.image_roles || {};
    return slot === 'refs' ? referenceRole(m) !== null : !!roles[slot];
  });
}

/** How many images `slot` takes for every model. */
export function slotMax(models, slot) {
  return Math.min(...models.map(m => {
    const roles = m.image_roles || {};
    const role = slot === 'refs' ? referenceRole(m) : slot;
    return role && roles[role] ? roles[role].max : 0;
  }));
}

export function intersect(lists) {
  if (!lists.length) return [];
  return lists[0].filter(v => lists.every(l => l.includes(v)));
}
