// dom.js - builds DOM and SVG nodes from data. Every string from the server goes in as a
// text node or an attribute value, never as markup, so a subject like "<img onerror=...>"
// is shown, not run: no server text is ever parsed as markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function fill(node, attrs, children) {
	for (const [key, value] of Object.entries(attrs || {})) {
		if (value === null || value === undefined || value === false) continue;
		if (key === 'text') node.textContent = String(value);
		else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
		else node.setAttribute(key, value === true ? '' : String(value));
	}
	for (const child of children.flat(Infinity)) {
		if (child === null || child === undefined || child === false) continue;
		node.append(child instanceof Node ? child : document.createTextNode(String(child)));
	}
	return node;
}

/** An HTML element: el('a', {href: '#/queue', class: 'x'}, 'text', otherNode). */
export function el(tag, attrs, ...children) {
	return fill(document.createElement(tag), attrs, children);
}

/** An SVG element with the same calling shape as el(). */
export function svg(tag, attrs, ...children) {
	return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

export function clear(node) {
	while (node.firstChild) node.firstChild.remove();
	return node;
}

export function formatBytes(n) {
	if (typeof n !== 'number') return '';
	if (n < 1024) return `${n} B`;
	if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
	return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Local time of an event time (microseconds since the epoch). */
export function formatMicros(us) {
	if (typeof us !== 'number') return '';
	const d = new Date(us / 1000);
	return `${d.toLocaleTimeString([], {hour12: false})}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** Cuts a label for a drawing; the full text goes into a <title>. */
export function shorten(text, max) {
	const s = String(text ?? '');
	return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A message box for errors and empty states, announced to screen readers. */
export function notice(text, kind) {
	return el('p', {class: `notice ${kind || ''}`, role: kind === 'error' ? 'alert' : 'status', text});
}

/** An address field that may come as one string or a list. */
export function joinList(value) {
	return Array.isArray(value) ? value.join(', ') : String(value ?? '');
}
