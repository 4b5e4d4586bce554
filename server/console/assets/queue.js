// queue.js - the relay queue (the JSON of `mail-server queue --json`) with the operator's
// actions: retry now, hold, release, delete (bounces to the sender). Changes as the relay
// works, without a reload.

import {getJson, post, remove, seg} from './api.js';
import {clear, el, formatBytes, notice} from './dom.js';
import {debounce} from './live.js';

function actionButton(label, run, status, danger) {
	const button = el('button', {type: 'button', class: danger ? 'danger' : null, text: label, 'data-action': label.toLowerCase()});
	button.addEventListener('click', async () => {
		if (danger && button.dataset.confirm !== '1') {
			// A second click confirms: no modal dialog, so keyboard and tests reach it alike.
			button.dataset.confirm = '1';
			button.textContent = `Really ${label.toLowerCase()}?`;
			setTimeout(() => { button.dataset.confirm = ''; button.textContent = label; }, 4000);
			return;
		}
		button.disabled = true;
		try {
			await run();
			status.textContent = `${label}: done`;
		} catch (error) {
			status.textContent = error.message;
		} finally {
			button.disabled = false;
		}
	});
	return button;
}

function entryRows(entry, status, reload) {
	const act = (verb) => async () => {
		await post(`queue/${seg(entry.id)}/${verb}`);
		reload();
	};
	const actions = el('td', {class: 'actions'},
		actionButton('Retry', act('retry'), status),
		entry.state === 'held' ? actionButton('Release', act('release'), status) : actionButton('Hold', act('hold'), status),
		actionButton('Delete', async () => {
			await remove(`queue/${seg(entry.id)}`);
			reload();
		}, status, true));
	const recipients = (entry.recipients || []).map((r) => el('tr', {class: `recipient ${r.state}`},
		el('td', {}), el('td', {colspan: 3, text: r.address}),
		el('td', {}, el('span', {class: `state ${r.state}`, text: r.state})),
		el('td', {colspan: 2, text: [r.status, r.remote_mta, r.reply].filter(Boolean).join(' · ')})));
	return [el('tr', {class: 'entry', 'data-id': entry.id},
		el('td', {class: 'mono', text: entry.id}),
		el('td', {text: entry.sender ? `<${entry.sender}>` : '<>'}),
		el('td', {class: 'nowrap', text: formatBytes(entry.size)}),
		el('td', {class: 'nowrap', text: entry.arrival || ''}),
		el('td', {}, el('span', {class: `state ${entry.state}`, text: entry.state})),
		el('td', {}, `${entry.attempts} attempt${entry.attempts === 1 ? '' : 's'}`, el('br'), el('span', {class: 'muted nowrap', text: `next ${entry.next_attempt || '—'}`})),
		actions), ...recipients];
}

export async function showQueue(main) {
	const status = el('p', {class: 'muted', role: 'status'});
	const body = el('div', {});
	main.append(el('h1', {text: 'Relay queue'}), el('p', {class: 'lead', text: 'Messages waiting for a remote exchanger. Retry makes one due now; Delete bounces it to its sender.'}), status, body);

	async function load() {
		const answer = await getJson('queue');
		const entries = answer.messages || [];
		clear(body).append(entries.length
			? el('table', {class: 'grid queue', 'data-count': entries.length},
				el('thead', {}, el('tr', {}, ['id', 'sender', 'size', 'arrival', 'state', 'attempts', 'actions'].map((h) => el('th', {scope: 'col', text: h})))),
				el('tbody', {}, entries.map((e) => entryRows(e, status, () => refresh()))))
			: notice('The queue is empty.'));
	}
	const refresh = debounce(() => load().catch((error) => { status.textContent = error.message; }), 150);
	await load();
	return {
		onEvent(event) {
			if (event.type === 'message.queued' || event.type.startsWith('relay.') || event.type === 'dsn.created') refresh();
		},
		dispose: () => refresh.cancel(),
	};
}
