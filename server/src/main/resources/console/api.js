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

const FINAL = new Set(['completed', 'failed', 'cancelled']);
const STREAM_FAILURES_BEFORE_POLLING = 3; // reconnects in a row that got no event before the console gives up on the stream

/**
 * Follows a video until it ends, calling onUpdate with each new state; resolves with the final video object.
 * Reads the job's Server-Sent Events (GET /v1/videos/{id}/events). EventSource cannot send the Authorization header
 * and the key must never go into a URL, so the stream is read with fetch; a dropped connection is resumed with
 * Last-Event-ID. Only when the stream endpoint itself fails (refused, too many streams, no event stream) does it
 * poll; a 401 or 404 ends the watch with that error (the key or the job is gone, and a poll would say the same).
 */
export async function watchVideo(id, onUpdate, { signal, intervalMs = 700 } = {}) {
  const path = '/v1/videos/' + encodeURIComponent(id);
  let lastId = null;
  let retryMs = 1000;
  let failures = 0;
  for (;;) {
    if (signal && signal.aborted) throw new Error('stopped');
    let res = null;
    try {
      const headers = { Authorization: 'Bearer ' + apiKey(), Accept: 'text/event-stream' };
      if (lastId !== null) headers['Last-Event-ID'] = lastId;
      res = await fetch(path + '/events', { headers, cache: 'no-store', credentials: 'omit', signal });
    } catch (e) {
      if (signal && signal.aborted) throw new Error('stopped');
      res = null; // the network failed: counts as a failed attempt below
    }
    if (res && (res.status === 401 || res.status === 404)) { // the job (or key) is gone: polling would say the same
      let body = null;
      try { body = await res.json(); } catch (e) { body = null; }
      throw new ApiError(res.status, body);
    }
    const streaming = res && res.ok && res.body && (res.headers.get('Content-Type') || '').startsWith('text/event-stream');
    if (!streaming) {
      if (res && res.body) res.body.cancel().catch(() => {});
      if (lastId === null || ++failures >= STREAM_FAILURES_BEFORE_POLLING) return pollVideo(path, onUpdate, { signal, intervalMs });
      await sleep(retryMs);
      continue;
    }
    let sawEvent = false;
    try {
      for await (const ev of sseEvents(res.body)) {
        if (ev.retry !== null) retryMs = ev.retry;
        if (ev.id !== null) lastId = ev.id;
        if (!ev.data) continue; // a keep-alive or a retry-only block
        sawEvent = true;
        failures = 0;
        const v = JSON.parse(ev.data);
        onUpdate(v);
        if (FINAL.has(v.status) || /^video\.(completed|failed|cancelled)$/.test(ev.event)) return v;
      }
    } catch (e) {
      if (signal && signal.aborted) throw new Error('stopped');
      // the connection dropped mid-stream: resume below
    }
    if (!sawEvent && ++failures >= STREAM_FAILURES_BEFORE_POLLING) return pollVideo(path, onUpdate, { signal, intervalMs });
    await sleep(retryMs);
  }
}

/** The fallback: GET /v1/videos/{id} every intervalMs until the video ends. */
async function pollVideo(path, onUpdate, { signal, intervalMs }) {
  for (;;) {
    if (signal && signal.aborted) throw new Error('stopped');
    const v = await api(path);
    onUpdate(v);
    if (FINAL.has(v.status)) return v;
    await sleep(intervalMs);
  }
}

function sleep(ms) {
  return new Promise(r => setTimeout(r, ms));
}

/**
 * The events of a text/event-stream body, as the HTML standard parses them: lines end in CRLF, LF or CR; a blank line
 * ends an event; `data` lines join with newlines; `id` (without NUL) and `retry` (digits only) are remembered; lines
 * starting with a colon are comments (keep-alives); one space after the field's colon is dropped.
 * Yields {event, data, id, retry}: id is the last id seen so far (null before any), retry null unless this block set it.
 */
export async function* sseEvents(body) {
  const reader = body.getReader();
  const decoder = new TextDecoder('utf-8');
  let buf = '';
  let data = [], event = '', id = null, retry = null, fields = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buf += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let m;
      // a lone CR at the very end may be the first half of a CRLF: wait for more unless the stream ended
      while ((m = /\r\n|\n|\r(?!$)/.exec(buf)) || (done && buf.endsWith('\r') && (m = /\r/.exec(buf)))) {
        const line = buf.slice(0, m.index);
        buf = buf.slice(m.index + m[0].length);
        if (line === '') {
          if (fields) yield { event: event || 'message', data: data.join('\n'), id, retry };
          data = []; event = ''; retry = null; fields = false;
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const name = colon < 0 ? line : line.slice(0, colon);
        let val = colon < 0 ? '' : line.slice(colon + 1);
        if (val.startsWith(' ')) val = val.slice(1);
        if (name === 'data') { data.push(val); fields = true; }
        else if (name === 'event') { event = val; fields = true; }
        else if (name === 'id') { if (!val.includes('\0')) id = val; fields = true; }
        else if (name === 'retry') { if (/^\d+$/.test(val)) { retry = Number(val); fields = true; } }
      }
      if (done) return; // an unfinished event at the end of the stream is dropped, as the standard says
    }
  } finally {
    reader.cancel().catch(() => {}); // closes the connection when the caller stops early (after the end event)
  }
}
