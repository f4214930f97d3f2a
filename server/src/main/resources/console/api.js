// The console's only way to the server: same-origin fetch with the key in the Authorization header (never in a URL).
const KEY = 'framegate.apiKey';

export function apiKey() {
  return sessionStorage.getItem(KEY) || '';
}

export function setApiKey(value) {
  if (value) sessionStorage.setItem(KEY, value);
  else sessionStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || ('HTTP ' + status));
    this.status = status;
    this.param = body && body.error ? body.error.param : null;
    this.code = body && body.error ? body.error.code : null;
  }
}

export async function api(path, { method = 'GET', body = null } = {}) {
  const headers = { Authorization: 'Bearer ' + apiKey() };
  if (body && !(body instanceof FormData)) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers, body, cache: 'no-store', credentials: 'omit' });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

let modelsCache = null;

export async function models(refresh = false) {
  if (!modelsCache || refresh) modelsCache = api('/v1/videos/models').then(r => r.data).catch(e => { modelsCache = null; throw e; });
  return modelsCache;
}

/** Models this server will run (it has a backend for them), for the pickers. */
export async function servedModels() {
  return (await models()).filter(m => m.framegate && m.framegate.backend);
}

const FINAL = new Set(['completed', 'failed']);

/**
 * Follows a video until it ends, calling onUpdate with each new state; resolves with the final video object.
 * Polls GET /v1/videos/{id} now: the one place a Server-Sent Events version will replace.
 */
export async function watchVideo(id, onUpdate, { intervalMs = 700, signal } = {}) {
  for (;;) {
    if (signal && signal.aborted) throw new Error('stopped');
    const v = await api('/v1/videos/' + encodeURIComponent(id));
    onUpdate(v);
    if (FINAL.has(v.status)) return v;
    await new Promise(r => setTimeout(r, intervalMs));
  }
}
