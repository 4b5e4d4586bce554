// mailboxes.js - the mailboxes on the left, the chosen mailbox's messages beside them,
// newest first, with search (q) and paging; new mail shows up as it is delivered.

import {getJson, seg} from './api.js';
import {clear, el, formatBytes, joinList, notice} from './dom.js';
import {debounce} from './live.js';

const PER_PAGE = 25;

function mailboxList(mailboxes, current) {
	if (!mailboxes.length) return notice('No mailboxes on this server.');
	return el('ul', {class: 'mailboxes'}, mailboxes.map((m) => el('li', {},
		el('a', {href: `#/mailboxes/${seg(m.address)}`, 'aria-current': m.address === current ? 'page' : null, 'data-address': m.address},
			el('span', {class: 'address', text: m.address}),
			el('span', {class: 'count', text: `${m.messages}`}),
			m.locked ? el('span', {class: 'tag', text: 'POP3 open'}) : null))));
}

function messageRow(m) {
	return el('li', {class: 'message', 'data-id': m.id, 'data-message-id': m.message_id || ''},
		el('a', {href: `#/message/${seg(m.id)}`},
			el('span', {class: 'from', text: joinList(m.from) || '(no sender)'}),
			el('time', {class: 'date', text: m.date || ''}),
			el('span', {class: 'subject', text: m.subject || '(no subject)'}),
			el('span', {class: 'snippet', text: m.snippet || ''}),
			el('span', {class: 'size', text: formatBytes(m.size)})));
}

function hashFor(address, q, page) {
	const params = new URLSearchParams();
	if (q) params.set('q', q);
	if (page > 1) params.set('page', String(page));
	const query = params.toString();
	return `#/mailboxes/${seg(address)}${query ? `?${query}` : ''}`;
}

export async function showMailboxes(main, address, params) {
	const q = params.get('q') || '';
	const page = Math.max(1, Number.parseInt(params.get('page') || '1', 10) || 1);
	const side = el('nav', {class: 'side', 'aria-label': 'mailboxes'});
	const list = el('section', {class: 'list', 'aria-label': 'messages'});
	main.append(el('h1', {class: 'visually-hidden', text: 'Mailboxes'}), el('div', {class: 'columns'}, side, list));

	async function loadMailboxes() {
		const answer = await getJson('mailboxes');
		clear(side).append(el('h2', {text: 'Mailboxes'}), mailboxList(answer.mailboxes || [], address));
		return answer.mailboxes || [];
	}

	async function loadMessages() {
		const query = new URLSearchParams({page: String(page), per_page: String(PER_PAGE)});
		if (q) query.set('q', q);
		const answer = await getJson(`mailboxes/${seg(address)}/messages?${query}`);
		const total = answer.total ?? 0;
		const pages = Math.max(1, Math.ceil(total / PER_PAGE));
		const search = el('input', {type: 'search', name: 'q', value: q, placeholder: 'search from, to, subject, body', 'aria-label': 'search messages'});
		const form = el('form', {class: 'search', role: 'search', onsubmit: (e) => {
			e.preventDefault();
			location.hash = hashFor(address, search.value.trim(), 1);
		}}, search, el('button', {type: 'submit', text: 'Search'}));
		const pager = el('p', {class: 'pager'},
			page > 1 ? el('a', {href: hashFor(address, q, page - 1), rel: 'prev', text: '← newer'}) : null,
			el('span', {text: ` page ${page} of ${pages} · ${total} message${total === 1 ? '' : 's'} `}),
			page < pages ? el('a', {href: hashFor(address, q, page + 1), rel: 'next', text: 'older →'}) : null);
		const messages = answer.messages || [];
		clear(list).append(el('h2', {text: address}), form, pager,
			messages.length ? el('ol', {class: 'messages', 'data-total': total}, messages.map(messageRow))
				: notice(q ? `Nothing matches “${q}”.` : 'No messages yet; new mail appears here as it arrives.'));
	}

	const boxes = await loadMailboxes();
	if (address) await loadMessages();
	else if (boxes.length) list.append(notice('Choose a mailbox.'));

	const refresh = debounce(() => {
		loadMailboxes().catch(() => {});
		if (address) loadMessages().catch((error) => clear(list).append(notice(error.message, 'error')));
	}, 150);
	return {
		onEvent(event) {
			if (['message.delivered', 'pop3.dele', 'pop3.expunge', 'pop3.login'].includes(event.type)) refresh();
		},
		dispose: () => refresh.cancel(),
	};
}
