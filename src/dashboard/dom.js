// Building the page from data, safely: elements from tag names and text, never from markup (no
// innerHTML anywhere), so nothing a consumer, a producer or a payload says can become HTML.

const svgNamespace = 'http://www.w3.org/2000/svg';
const svgTags = new Set(['svg', 'g', 'polyline', 'line', 'rect', 'text', 'title', 'circle']);

/**
 * An element with attributes and children; strings become text nodes (never markup).
 * @param {string} tag @param {Record<string, string>} [attributes] @param {(Node | string)[]} children
 */
export function el(tag, attributes = {}, ...children) {
  const node = svgTags.has(tag) ? document.createElementNS(svgNamespace, tag) : document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** @param {string} id */
export const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** A duration: "12 s", "4 min", "3 h", "2 d". @param {number} seconds */
export function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

/** How long ago an instant was, by this browser's clock; "never" without one. @param {string | null} at */
export function ago(at, now = Date.now()) {
  return at ? `${duration((now - Date.parse(at)) / 1000)} ago` : 'never';
}

/** A byte count: "812 B", "3.4 kB", "1.2 MB". @param {number} bytes */
export function size(bytes) {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** The first characters of an id, enough to tell ids apart on screen (the whole id is its title). @param {string} id */
export const shortId = (id) => (id.length > 13 ? `${id.slice(0, 8)}…` : id);

/** An id shown short, whole in its tooltip and for copying. @param {string} id */
export const idCell = (id) => el('code', { class: 'id', title: id }, shortId(id));
