// live.js - new journal events without a reload: Server-Sent Events from /api/v1/stream,
// or, when the stream cannot be opened, polling /api/v1/events?since= every few seconds.
// Views subscribe; each event reaches them once (by its seq).

import {getJson} from './api.js';

const POLL_MS = 2000;
const listeners = new Set();
let lastSeq = -1;
let indicator = null;

function setState(state, text) {
	if (!indicator) return;
	indicator.dataset.state = state;
	indicator.textContent = text;
}

function dispatch(event) {
	if (typeof event.seq === 'number') {
		if (event.seq <= lastSeq) return;
		lastSeq = event.seq;
	}
	for (const listener of listeners) {
		try {
			listener(event);
		} catch (error) {
			console.error('console: listener failed', error);
		}
	}
}

async function poll(since) {
	let next = since;
	try {
		const answer = await getJson(next === null ? 'events?limit=1' : `events?since=${next}`);
		if (next !== null) (answer.events || []).forEach(dispatch);
		else lastSeq = Math.max(lastSeq, ...(answer.events || []).map((e) => e.seq ?? -1));
		next = answer.next ?? next;
		setState('polling', 'polling');
	} catch {
		setState('offline', 'offline');
	}
	setTimeout(() => poll(next), POLL_MS);
}

function openStream() {
	let opened = false;
	const source = new EventSource('/api/v1/stream');
	source.addEventListener('open', () => {
		opened = true;
		setState('live', 'live');
	});
	source.addEventListener('journal', (message) => {
		try {
			dispatch(JSON.parse(message.data));
		} catch (error) {
			console.error('console: bad stream event', error);
		}
	});
	source.addEventListener('error', () => {
		// Never opened (no stream route, a proxy that buffers): poll instead. Once open, the
		// browser reconnects by itself; show that until it is back.
		if (!opened) {
			source.close();
			poll(null);
		} else {
			setState('connecting', 'reconnecting');
		}
	});
}

export function startLive(statusNode) {
	indicator = statusNode;
	if (typeof EventSource === 'function') openStream();
	else poll(null);
}

/** Calls fn(event) for each new event until the returned function is called. */
export function subscribe(fn) {
	listeners.add(fn);
	return () => listeners.delete(fn);
}

/** fn at most once per ms, after the last call (a burst of events, one refresh). */
export function debounce(fn, ms) {
	let timer = null;
	const wrapped = () => {
		clearTimeout(timer);
		timer = setTimeout(fn, ms);
	};
	wrapped.cancel = () => clearTimeout(timer);
	return wrapped;
}
