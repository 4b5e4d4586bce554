// journey_model.js - turns a journey's events (docs/api.md, every server's events of one
// message, sorted by time) into lanes and steps for the sequence diagram: one lane each
// for the sending client, each provider's SMTP, mail-dns, each provider's relay and
// mailbox, and the POP3 or IMAP reader; one step per command, reply or note, in time order.

const MAX_RCPT_ARROWS = 5;

/** The servers that took the message from another's relay: queue_id -> server. */
function nextHops(events) {
	const accepted = new Map();
	for (const e of events) if (e.type === 'message.accepted' && e.queue_id) accepted.set(`${e.queue_id}`, e.server);
	return accepted;
}

export function buildJourney(events) {
	const steps = [];
	const accepted = nextHops(events);
	const hopOf = new Set();
	// An attempt that failed names no remote id; its exchanger's lane is the server a later
	// attempt to the same exchanger reached.
	const serverOfExchanger = new Map();
	for (const e of events) {
		if (e.type !== 'relay.attempt' || !e.remote_id || !accepted.has(`${e.remote_id}`)) continue;
		hopOf.add(`${accepted.get(`${e.remote_id}`)}/${e.remote_id}`);
		serverOfExchanger.set(`${e.server} ${e.exchanger || e.address}`, accepted.get(`${e.remote_id}`));
	}
	// The next hop's own SMTP session is the relay's conversation, drawn from its commands.
	const hopSessions = new Set(events.filter((e) => e.type === 'message.accepted' && hopOf.has(`${e.server}/${e.queue_id}`)).map((e) => `${e.server}/${e.session}`));
	const pop3Sessions = new Set(events.filter((e) => e.type === 'session.open' && e.protocol === 'pop3').map((e) => `${e.server}/${e.session}`));
	const imapSessions = new Set(events.filter((e) => e.type === 'session.open' && e.protocol === 'imap').map((e) => `${e.server}/${e.session}`));
	const heloDrawn = new Set();
	const servers = [];
	const serverIndex = (s) => {
		if (!servers.includes(s)) servers.push(s);
		return servers.indexOf(s);
	};
	const ext = new Map();
	const attempts = new Map();
	let order = 0;
	const arrow = (t, from, to, label, type, cls, title) => steps.push({kind: 'arrow', t, order: order++, from, to, label, type, cls: cls || '', title: title || label});
	const note = (t, lane, label, type, cls, title) => steps.push({kind: 'note', t, order: order++, lane, label, type, cls: cls || '', title: title || label});

	for (const e of events) {
		const s = e.server || '?';
		if (s !== 'mail-dns') serverIndex(s);
		const smtp = `${s}/smtp`;
		const relay = `${s}/relay`;
		const box = `${s}/mailbox`;
		const t = Number(e.t) || 0;
		const session = `${s}/${e.session}`;
		const pop3 = pop3Sessions.has(session);
		const imap = imapSessions.has(session);
		if (e.session && hopSessions.has(session) && e.type !== 'message.accepted') continue;
		switch (e.type) {
		case 'session.open':
			if (pop3) arrow(t, 'pop3', box, `connect (POP3)${e.tls ? ' TLS' : ''}`, e.type);
			else if (imap) arrow(t, 'imap', box, `connect (IMAP)${e.tls ? ' TLS' : ''}`, e.type);
			else arrow(t, 'client', smtp, `connect${e.tls ? ' (TLS)' : ''}`, e.type, '', `connect from ${e.peer || ''}`);
			break;
		case 'session.close':
			if (pop3) arrow(t, 'pop3', box, e.reason === 'quit' ? 'QUIT' : `closed: ${e.reason}`, e.type);
			else if (imap) arrow(t, 'imap', box, e.reason === 'quit' ? 'LOGOUT' : `closed: ${e.reason}`, e.type);
			else arrow(t, 'client', smtp, e.reason === 'quit' ? 'QUIT' : `closed: ${e.reason}`, e.type);
			break;
		case 'smtp.helo':
			heloDrawn.add(session);
			arrow(t, 'client', smtp, `${e.esmtp === false ? 'HELO' : 'EHLO'} ${e.helo || ''}`, e.type);
			break;
		case 'smtp.tls':
			arrow(t, 'client', smtp, `STARTTLS (${e.version || 'TLS'})`, e.type, '', `${e.version || ''} ${e.cipher || ''}`);
			break;
		case 'smtp.auth':
			arrow(t, 'client', smtp, `AUTH ${e.mechanism || ''} (${e.user || ''})`, e.type, e.ok === false ? 'bad' : '');
			break;
		case 'pop3.login':
			arrow(t, 'pop3', box, `${e.mechanism === 'PLAIN' ? 'AUTH PLAIN' : 'USER/PASS'} (${e.user || ''})`, e.type, e.ok === false ? 'bad' : '');
			break;
		case 'message.accepted': {
			if (hopOf.has(`${s}/${e.queue_id}`)) {
				note(t, smtp, `accepted as ${e.queue_id}`, e.type, 'ok');
				break;
			}
			const to = Array.isArray(e.to) ? e.to : [];
			if (e.helo && !heloDrawn.has(session)) arrow(t, 'client', smtp, `EHLO ${e.helo}`, e.type);
			arrow(t, 'client', smtp, `MAIL FROM:<${e.from ?? ''}>`, e.type);
			to.slice(0, MAX_RCPT_ARROWS).forEach((r) => arrow(t, 'client', smtp, `RCPT TO:<${r}>`, e.type));
			if (to.length > MAX_RCPT_ARROWS) arrow(t, 'client', smtp, `RCPT TO: … ${to.length - MAX_RCPT_ARROWS} more`, e.type);
			arrow(t, 'client', smtp, `DATA (${e.size ?? '?'} octets)`, e.type);
			arrow(t, smtp, 'client', e.reply || `250 queued as ${e.queue_id}`, e.type, 'reply');
			break;
		}
		case 'message.queued':
			arrow(t, smtp, relay, `queued for ${(e.to || []).join(', ')}`, e.type);
			break;
		case 'dns.lookup': {
			const answer = (e.answer || []).join(', ') || e.rcode || 'no answer';
			if (e.cached) {
				note(t, relay, `cached ${e.qtype} ${e.name} → ${answer}`, e.type);
				break;
			}
			const start = t - (Number(e.ms) || 0) * 1000;
			arrow(start, relay, 'dns', `${e.qtype}? ${e.name}`, e.type, '', `${e.qtype}? ${e.name} to ${e.dns_server || 'mail-dns'}`);
			arrow(t, 'dns', relay, `${answer} · ${e.ms ?? '?'} ms`, e.type, 'reply');
			break;
		}
		case 'relay.attempt': {
			const n = (attempts.get(s) || 0) + 1;
			attempts.set(s, n);
			let target;
			const reached = serverOfExchanger.get(`${s} ${e.exchanger || e.address}`);
			if (e.remote_id && accepted.has(`${e.remote_id}`)) target = `${accepted.get(`${e.remote_id}`)}/smtp`;
			else if (reached) target = `${reached}/smtp`;
			else {
				target = `ext:${e.exchanger || e.address || 'exchanger'}`;
				ext.set(target, s);
			}
			// The journal stamps an attempt with its start, so it sorts where the conversation began.
			const ms = Number(e.ms) || 0;
			let at = t;
			if (n > 1) note(at, relay, `retry: attempt ${n}`, e.type, 'warn');
			const commands = Array.isArray(e.commands) ? e.commands : [];
			const connect = `connect ${e.exchanger || ''} ${e.address || ''}`.trim();
			if (e.reused) note(at, relay, `reused connection to ${e.exchanger || e.address}`, e.type);
			else if (!commands.length || commands[0].c !== '(connect)') arrow(at, relay, target, connect, e.type);
			if (!commands.length) {
				arrow(t + ms * 1000, target, relay, `${e.reply || '?'} · ${ms} ms`, e.type, 'reply');
				break;
			}
			for (const c of commands) {
				const cms = Number(c.ms) || 0;
				const label = c.c === '(connect)' ? connect : c.c === '.' ? '. (end of data)' : c.c;
				if (c.c) arrow(at, relay, target, label, e.type);
				at += cms * 1000;
				if (c.r) arrow(at, target, relay, `${c.r} · ${cms} ms`, e.type, 'reply');
			}
			break;
		}
		case 'relay.delivered':
			note(t, relay, `delivered${e.remote_id ? `, queued as ${e.remote_id}` : ''}`, e.type, 'ok', `${e.reply || ''}`);
			break;
		case 'relay.deferred':
			note(t, relay, `deferred: ${e.reply || ''}`, e.type, 'warn');
			break;
		case 'relay.bounced':
			note(t, relay, `bounced ${e.status || ''}: ${e.reply || ''}`, e.type, 'bad');
			break;
		case 'dsn.created':
			arrow(t, relay, box, `DSN to ${e.to || 'sender'}`, e.type, 'bad', `delivery status notification ${e.dsn_message_id || ''}`);
			break;
		case 'message.delivered':
			arrow(t, smtp, box, `deliver to ${e.mailbox || ''}`, e.type, 'ok', `deliver to ${e.mailbox || ''} (${e.file || ''})`);
			break;
		case 'pop3.retr':
			arrow(t, 'pop3', box, `RETR (${e.user || ''})`, e.type);
			arrow(t, box, 'pop3', `+OK ${e.size ?? ''} octets`, e.type, 'reply');
			break;
		case 'imap.login':
			arrow(t, 'imap', box, `${e.mechanism === 'PLAIN' ? 'AUTHENTICATE PLAIN' : 'LOGIN'} (${e.user || ''})`, e.type, e.ok === false ? 'bad' : '');
			break;
		case 'imap.fetch':
			arrow(t, 'imap', box, `FETCH BODY[] (${e.user || ''})`, e.type);
			arrow(t, box, 'imap', `${e.size ?? ''} octets`, e.type, 'reply');
			break;
		case 'imap.expunge':
			note(t, box, 'expunged by IMAP', e.type);
			break;
		case 'pop3.dele':
			arrow(t, 'pop3', box, 'DELE', e.type);
			break;
		case 'pop3.expunge':
			note(t, box, 'expunged at QUIT', e.type);
			break;
		case 'fault.fired':
			note(t, smtp, `fault: ${e.action || ''} at ${e.stage || ''}`, e.type, 'bad');
			break;
		default:
			if (s !== 'mail-dns') note(t, smtp, e.type, e.type);
		}
	}
	steps.sort((a, b) => a.t - b.t || a.order - b.order);
	return {lanes: lanesOf(steps, servers, ext, events), steps};
}

const PART_RANK = {smtp: 0, relay: 2, mailbox: 4};

function lanesOf(steps, servers, ext, events) {
	const used = new Set();
	for (const step of steps) {
		if (step.kind === 'arrow') {
			used.add(step.from);
			used.add(step.to);
		} else used.add(step.lane);
	}
	const rank = (key) => {
		if (key === 'client') return 0;
		if (key === 'dns') return 11;
		if (key === 'pop3') return 1e6;
		if (key === 'imap') return 1e6 + 1;
		if (key.startsWith('ext:')) return 10 + servers.indexOf(ext.get(key)) * 10 + 3;
		const cut = key.lastIndexOf('/');
		return 10 + servers.indexOf(key.slice(0, cut)) * 10 + PART_RANK[key.slice(cut + 1)];
	};
	const first = events.find((e) => e.type === 'message.accepted');
	return [...used].sort((a, b) => rank(a) - rank(b)).map((key) => ({key, ...laneLabel(key, first)}));
}

function laneLabel(key, first) {
	if (key === 'client') return {label: 'sending client', sub: first && first.peer ? first.peer : ''};
	if (key === 'dns') return {label: 'mail-dns', sub: 'DNS'};
	if (key === 'pop3') return {label: 'POP3 reader', sub: ''};
	if (key === 'imap') return {label: 'IMAP reader', sub: ''};
	if (key.startsWith('ext:')) return {label: `${key.slice(4)} SMTP`, sub: 'next hop'};
	const cut = key.lastIndexOf('/');
	const part = key.slice(cut + 1);
	return {label: `${key.slice(0, cut)} ${part === 'smtp' ? 'SMTP' : part}`, sub: key.slice(0, cut)};
}
