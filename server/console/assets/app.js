// app.js - the console's entry: hash routing (#/topology, #/mailboxes/ADDR, #/message/ID,
// #/queue, #/events, #/journey/MESSAGE-ID), so every view can be opened by URL, and the
// live event feed handed to whichever view is open.

import {getJson} from './api.js';
import {clear, notice} from './dom.js';
import {startLive, subscribe} from './live.js';
import {showTopology} from './topology.js';
import {showMailboxes} from './mailboxes.js';
import {showMessage} from './message.js';
import {showQueue} from './queue.js';
import {showEvents} from './events.js';
import {showJourney} from './journey.js';

const routes = [
	{name: 'topology', pattern: /^\/topology$/, show: showTopology},
	{name: 'mailboxes', pattern: /^\/mailboxes(?:\/([^?]*))?$/, show: showMailboxes},
	{name: 'message', pattern: /^\/message\/([^?/]+)$/, show: showMessage},
	{name: 'queue', pattern: /^\/queue$/, show: showQueue},
	{name: 'events', pattern: /^\/events$/, show: showEvents},
	{name: 'journey', pattern: /^\/journey(?:\/(.+))?$/, show: showJourney},
];

const main = document.getElementById('view');
let current = null;

function parseHash() {
	const hash = location.hash.replace(/^#/, '') || '/topology';
	const [path, query] = hash.split('?', 2);
	return {path, params: new URLSearchParams(query || '')};
}

async function route(change) {
	if (current && current.dispose) current.dispose();
	current = null;
	const {path, params} = parseHash();
	const found = routes.find((r) => r.pattern.test(path));
	clear(main);
	document.body.dataset.view = found ? found.name : 'none';
	for (const link of document.querySelectorAll('nav a')) {
		const on = found && link.getAttribute('href') === `#/${found.name}`;
		if (on) link.setAttribute('aria-current', 'page');
		else link.removeAttribute('aria-current');
	}
	if (!found) {
		main.dataset.state = 'error';
		main.append(notice(`No view at #${path}`, 'error'));
		return;
	}
	main.dataset.state = 'loading';
	const arg = (path.match(found.pattern)[1] || '');
	let decoded = arg;
	try {
		decoded = decodeURIComponent(arg);
	} catch {
		decoded = arg;
	}
	const mine = {};
	current = mine;
	try {
		const view = await found.show(main, decoded, params);
		if (current !== mine) {
			if (view && view.dispose) view.dispose();
			return;
		}
		current = view || {};
		main.dataset.state = 'ready';
		// After a link was followed, keyboard and screen-reader users start in the new view.
		if (change) main.focus({preventScroll: true});
	} catch (error) {
		if (current !== mine) return;
		main.dataset.state = 'error';
		main.append(notice(error.message, 'error'));
	}
}

subscribe((event) => {
	if (current && current.onEvent) current.onEvent(event);
});

getJson('info')
	.then((info) => {
		document.getElementById('server-name').textContent = info.server || '';
		document.title = `${info.server} · mail console`;
	})
	.catch(() => {});

window.addEventListener('hashchange', route);
startLive(document.getElementById('live'));
route();
