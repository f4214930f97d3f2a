// Keyframe fidelity of a finished video (the API's framegate.fidelity): how closely its first and last frames match the
// keyframes the request gave, and whether the server counts them honoured. One small component for Try, Compare, Jobs.
import { el } from './dom.js';

const HELP = 'Each frame is compared with its keyframe fitted to the video\'s size. PSNR in dB: higher is closer '
  + '(40+ is near identical, under about 19 a different picture); SSIM from 0 to 1: structure alike. A keyframe counts '
  + 'as honoured when the PSNR after matching the colour grade reaches 23 dB.';

export function fidelityView(f) {
  const help = el('a', { class: 'fidelity-help', href: '/console/fidelity.html', target: '_blank', rel: 'noopener',
    title: HELP }, 'what is this?');
  if (!f || (!f.first_frame && !f.last_frame)) {
    return el('div', { class: 'fidelity none', dataset: { scored: 'false' } },
      el('span', { class: 'verdict' }, 'not scored'), ' ',
      el('span', { class: 'muted' }, '(the request gave no first or last frame to compare with)'), ' ', help);
  }
  const honoured = f.honoured === true;
  const row = (name, label, x) => x
    ? el('tr', { class: name }, el('th', {}, label),
      el('td', { class: 'psnr' }, Number(x.psnr).toFixed(1) + ' dB'), el('td', { class: 'ssim' }, Number(x.ssim).toFixed(3)))
    : el('tr', { class: name + ' absent' }, el('th', {}, label), el('td', { colspan: 2, class: 'muted' }, 'no keyframe'));
  return el('div', { class: 'fidelity ' + (honoured ? 'ok' : 'bad'), title: HELP,
    dataset: { scored: 'true', honoured: String(honoured) } },
    el('span', { class: 'verdict' }, honoured ? '\u2713 keyframes honoured' : '\u2717 keyframes NOT honoured'), ' ', help,
    el('table', { class: 'fidelity-scores' },
      el('thead', {}, el('tr', {}, el('th', {}, ''), el('th', {}, 'PSNR'), el('th', {}, 'SSIM'))),
      el('tbody', {}, row('first', 'first frame', f.first_frame), row('last', 'last frame', f.last_frame))));
}
