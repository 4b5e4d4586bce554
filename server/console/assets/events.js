// events.js - the journal as it happens: newest first, each message's events linked to
// its journey.

import {getJson, seg} from './api.js';
import {el, formatMicros, notice} from './dom.js';

const KEEP = 300;
const SKIP = new Set(['t', 'seq', 'server', 'type', 'message_id', 'commands']);

function details(event) {
	return Object.entries(event)
		.filter(([key]) => !SKIP.has(key))
		.map(([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : value}`)
		.join(' ');
}

function row(event) {
	return el('tr', {class: `event ${String(event.type).replace(/\./g, '-')}`, 'data-seq': event.seq, 'data-type': event.type},
		el('td', {class: 'mono', text: formatMicros(event.t)}),
		el('td', {text: event.server || ''}),
		el('td', {}, el('span', {class: 'type', text: event.type})),
		el('td', {}, event.message_id ? el('a', {href: `#/journey/${seg(event.message_id)}`, text: event.message_id}) : ''),
		el('td', {class: 'detail', text: details(event)}));
}

export async function showEvents(main) {
	const answer = await getJson('events');
	const events = (answer.events || []).slice(-KEEP).reverse();
	const body = el('tbody', {}, events.map(row));
	const empty = notice('No events yet: send a message (swaks, mail-agent) and watch.');
	main.append(el('h1', {text: 'Events'}),
		el('p', {class: 'lead', text: `The journal of this server, newest first${answer.dropped ? ` (${answer.dropped} dropped under load)` : ''}.`}),
		...(events.length ? [] : [empty]),
		el('table', {class: 'grid events'},
			el('thead', {}, el('tr', {}, ['time', 'server', 'type', 'message', 'details'].map((h) => el('th', {scope: 'col', text: h})))),
			body));
	return {
		onEvent(event) {
			empty.remove();
			body.prepend(row(event));
			while (body.children.length > KEEP) body.lastChild.remove();
		},
	};
}
