// message.js - one message: its text, its HTML in a sandboxed frame (no scripts, no
// same-origin access, under the page's own CSP), the headers, the raw source and the
// attachments to download; a link to the journey that brought it.

import {getJson, getText, remove, seg} from './api.js';
import {clear, el, formatBytes, joinList, notice} from './dom.js';

function tabs(panels) {
	const bar = el('div', {class: 'tabs', role: 'tablist'});
	const body = el('div', {class: 'tab-body'});
	const buttons = panels.map((panel, i) => el('button', {type: 'button', role: 'tab', id: `tab-${panel.id}`, 'aria-controls': `panel-${panel.id}`, text: panel.label,
		onclick: () => select(i),
		onkeydown: (e) => {
			if (e.key === 'ArrowRight') select((i + 1) % panels.length, true);
			if (e.key === 'ArrowLeft') select((i + panels.length - 1) % panels.length, true);
		}}));
	async function select(i, focus) {
		buttons.forEach((b, k) => {
			b.setAttribute('aria-selected', String(k === i));
			b.tabIndex = k === i ? 0 : -1;
		});
		if (focus) buttons[i].focus();
		const panel = el('div', {role: 'tabpanel', id: `panel-${panels[i].id}`, 'aria-labelledby': `tab-${panels[i].id}`, 'data-panel': panels[i].id});
		clear(body).append(panel);
		try {
			panel.append(await panels[i].render());
		} catch (error) {
			panel.append(notice(error.message, 'error'));
		}
	}
	bar.append(...buttons);
	select(0);
	return el('div', {}, bar, body);
}

function headerTable(headers) {
	return el('table', {class: 'grid headers'}, el('tbody', {}, (headers || []).map((h) =>
		el('tr', {}, el('th', {scope: 'row', text: h.name}), el('td', {text: h.value})))));
}

function htmlFrame(html) {
	// srcdoc is set as a property, so the mail's markup never touches this document; an empty
	// sandbox gives the frame an opaque origin with scripts, forms and popups off.
	const frame = el('iframe', {class: 'html-part', sandbox: '', title: 'HTML part (sandboxed)', referrerpolicy: 'no-referrer'});
	frame.addEventListener('load', () => { frame.dataset.loaded = 'yes'; });
	frame.srcdoc = html;
	return frame;
}

function attachmentList(id, attachments) {
	if (!attachments || !attachments.length) return notice('No attachments.');
	return el('ul', {class: 'attachments'}, attachments.map((a) => el('li', {},
		el('a', {href: `/api/v1/messages/${seg(id)}/parts/${seg(a.part)}`, download: a.filename || `part-${a.part}`, text: a.filename || `part ${a.part}`}),
		el('span', {class: 'muted', text: ` ${a.content_type || ''} · ${formatBytes(a.size)}`}))));
}

export async function showMessage(main, id) {
	const m = await getJson(`messages/${seg(id)}`);
	const status = el('span', {class: 'muted', role: 'status'});
	const del = el('button', {type: 'button', class: 'danger', text: 'Delete', onclick: async () => {
		if (del.dataset.confirm !== '1') {
			del.dataset.confirm = '1';
			del.textContent = 'Really delete?';
			setTimeout(() => { del.dataset.confirm = ''; del.textContent = 'Delete'; }, 4000);
			return;
		}
		try {
			await remove(`messages/${seg(id)}`);
			location.hash = `#/mailboxes/${seg(m.mailbox)}`;
		} catch (error) {
			status.textContent = error.message;
		}
	}});
	const panels = [
		{id: 'text', label: 'Text', render: async () => (m.text !== null && m.text !== undefined ? el('pre', {class: 'body', text: m.text}) : notice('No text part.'))},
		{id: 'html', label: 'HTML', render: async () => (m.html ? htmlFrame(m.html) : notice('No HTML part.'))},
		{id: 'headers', label: 'Headers', render: async () => headerTable(m.headers)},
		{id: 'raw', label: 'Raw', render: async () => el('pre', {class: 'raw', text: await getText(`messages/${seg(id)}/raw`)})},
		{id: 'attachments', label: `Attachments (${(m.attachments || []).length})`, render: async () => attachmentList(id, m.attachments)},
	];
	if (!m.text && m.html) panels.unshift(panels.splice(1, 1)[0]);
	main.append(
		el('p', {class: 'crumbs'}, el('a', {href: `#/mailboxes/${seg(m.mailbox)}`, text: `← ${m.mailbox}`})),
		el('h1', {class: 'subject', text: m.subject || '(no subject)'}),
		el('dl', {class: 'meta'},
			el('dt', {text: 'From'}), el('dd', {text: joinList(m.from)}),
			el('dt', {text: 'To'}), el('dd', {text: joinList(m.to)}),
			m.cc ? [el('dt', {text: 'Cc'}), el('dd', {text: joinList(m.cc)})] : null,
			el('dt', {text: 'Date'}), el('dd', {text: m.date || ''}),
			el('dt', {text: 'Size'}), el('dd', {text: formatBytes(m.size)}),
			el('dt', {text: 'Message-ID'}), el('dd', {}, m.message_id ? el('a', {href: `#/journey/${seg(m.message_id)}`, title: 'show its journey', text: m.message_id}) : '—')),
		el('p', {class: 'actions'},
			el('a', {class: 'button', href: `/api/v1/messages/${seg(id)}/raw`, download: `${id}.eml`, text: 'Download .eml'}), ' ',
			m.message_id ? el('a', {class: 'button', href: `#/journey/${seg(m.message_id)}`, text: 'Journey'}) : null, ' ',
			del, ' ', status),
		tabs(panels));
	return {};
}
