// A finished video: the player (signed video_url, so no key is needed), a sprite-sheet scrubber, cost, times and a
// download link, and the keyframe fidelity score.
import { el, usd, duration } from './dom.js';
import { fidelityView } from './fidelity.js';

const GRID = 5; // the sprite sheet is a 5x5 grid of frames spread over the video

export function cost(v) {
  const fg = v.framegate || {};
  return fg.cost_usd !== null && fg.cost_usd !== undefined ? fg.cost_usd : fg.estimated_cost_usd;
}

export function resultCard(v, { wallMs = null } = {}) {
  const fg = v.framegate || {};
  const video = el('video', {
    class: 'result', src: v.video_url, poster: fg.thumbnail_url, controls: true, muted: true, playsinline: true,
    preload: 'auto', loop: true, dataset: { videoId: v.id },
  });
  video.muted = true;
  const scrub = scrubber(video, fg.spritesheet_url);
  const serverMs = v.completed_at && v.created_at ? (v.completed_at - v.created_at) * 1000 : null;
  return el('figure', { class: 'card', dataset: { videoId: v.id } },
    video, scrub,
    el('figcaption', {},
      el('div', { class: 'title' }, el('strong', {}, v.model), ' ', el('span', { class: 'muted' }, v.size + ' · ' + v.seconds + ' s')),
      el('dl', {},
        el('dt', {}, 'Cost'), el('dd', { class: 'cost' }, usd(cost(v))),
        el('dt', {}, 'Wall time'), el('dd', { class: 'wall' }, duration(wallMs !== null ? wallMs : serverMs)),
        el('dt', {}, 'Backend'), el('dd', {}, (fg.local_render ? 'local render' : (fg.channel || fg.backend || '-'))),
        el('dt', {}, 'Fidelity'), el('dd', {}, fidelityView(fg.fidelity))),
      el('a', { class: 'download', href: v.video_url, download: v.id + '.mp4' }, 'Download MP4')));
}

/** Hover to see the frame at that point (from the sprite sheet), click to seek the video there. */
function scrubber(video, sheetUrl) {
  if (!sheetUrl) return el('div', { class: 'scrub none' });
  const tile = el('div', { class: 'tile' });
  tile.style.backgroundImage = `url("${sheetUrl}")`;
  const bar = el('div', { class: 'scrub', title: 'hover to preview, click to seek' }, tile);
  const at = e => Math.min(0.999, Math.max(0, (e.clientX - bar.getBoundingClientRect().left) / bar.clientWidth));
  bar.addEventListener('mousemove', e => {
    const f = at(e);
    const i = Math.floor(f * GRID * GRID);
    tile.style.backgroundPosition = `${(i % GRID) * 100 / (GRID - 1)}% ${Math.floor(i / GRID) * 100 / (GRID - 1)}%`;
    tile.style.left = `calc(${f * 100}% - 40px)`;
    bar.classList.add('active');
  });
  bar.addEventListener('mouseleave', () => bar.classList.remove('active'));
  bar.addEventListener('click', e => {
    if (isFinite(video.duration)) video.currentTime = at(e) * video.duration;
  });
  return bar;
}
