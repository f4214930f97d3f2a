// Builds DOM nodes from parts (never from HTML strings), so text from the server (prompts, messages) is never parsed as markup.
export function el(tag, attrs = {}, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') n.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(n.dataset, v);
    else if (v === true) n.setAttribute(k, '');
    else n.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    n.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return n;
}

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

export function usd(x) {
  return x === null || x === undefined ? '-' : '$' + Number(x).toFixed(2);
}

export function duration(ms) {
  if (ms === null || ms === undefined) return '-';
  return ms < 60000 ? (ms / 1000).toFixed(1) + ' s' : Math.floor(ms / 60000) + ' min ' + Math.round(ms % 60000 / 1000) + ' s';
}
