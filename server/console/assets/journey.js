// journey.js - one message's path across providers as a sequence diagram (Wireshark's
// flow graph one level up): a lane per party, an arrow per command or reply in time
// order with its text and milliseconds, retries and bounces marked where they happened.

import {getJson, seg} from './api.js';
import {el, formatMicros, notice, shorten, svg} from './dom.js';
import {debounce} from './live.js';
import {buildJourney} from './journey_model.js';

const LEFT = 110;
const LANE_W = 155;
const TOP = 70;
const ROW = 30;
const OTHERS_MS = 5000;

const bare = (id) => String(id || '').replace(/^<|>$/g, '');

function draw(model, t0) {
	const x = new Map(model.lanes.map((lane, i) => [lane.key, LEFT + i * LANE_W + LANE_W / 2]));
	const width = LEFT + model.lanes.length * LANE_W + 10;
	const height = TOP + model.steps.length * ROW + 30;
	const heads = model.lanes.map((lane) => svg('g', {class: 'lane', 'data-lane': lane.label},
		svg('title', {text: lane.sub ? `${lane.label} (${lane.sub})` : lane.label}),
		svg('rect', {x: x.get(lane.key) - LANE_W / 2 + 8, y: 8, width: LANE_W - 16, height: 40, rx: 6}),
		svg('text', {x: x.get(lane.key), y: 26, 'text-anchor': 'middle', class: 'lane-label', text: shorten(lane.label, 21)}),
		svg('text', {x: x.get(lane.key), y: 41, 'text-anchor': 'middle', class: 'lane-sub', text: shorten(lane.sub, 26)}),
		svg('line', {x1: x.get(lane.key), y1: 48, x2: x.get(lane.key), y2: height - 10, class: 'lifeline'})));
	const rows = model.steps.map((step, i) => {
		const y = TOP + i * ROW + 14;
		const time = svg('text', {x: 8, y: y + 4, class: 'step-time', text: `+${((step.t - t0) / 1000).toFixed(1)} ms`});
		if (step.kind === 'note') {
			const cx = x.get(step.lane);
			return svg('g', {class: `note ${step.cls}`, 'data-type': step.type, 'data-lane': step.lane},
				svg('title', {text: step.title}), time,
				svg('rect', {x: cx - LANE_W / 2 + 4, y: y - 10, width: LANE_W - 8, height: 20, rx: 4}),
				svg('text', {x: cx, y: y + 4, 'text-anchor': 'middle', class: 'note-label', text: shorten(step.label, 26)}));
		}
		const x1 = x.get(step.from);
		const x2 = x.get(step.to);
		const span = Math.abs(x2 - x1);
		const dir = x2 > x1 ? 1 : -1;
		return svg('g', {class: `arrow ${step.cls}`, 'data-type': step.type, 'data-from': step.from, 'data-to': step.to},
			svg('title', {text: step.title}), time,
			svg('line', {x1, y1: y + 6, x2: x2 - dir * 3, y2: y + 6, 'marker-end': 'url(#journey-head)'}),
			svg('text', {x: (x1 + x2) / 2, y: y + 1, 'text-anchor': 'middle', class: 'arrow-label', text: shorten(step.label, Math.max(12, Math.floor(span / 6.6)))}));
	});
	return svg('svg', {class: 'journey', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': `sequence diagram: ${model.lanes.length} lanes, ${model.steps.length} steps`},
		svg('defs', {}, svg('marker', {id: 'journey-head', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse'}, svg('path', {d: 'M0,0 L10,5 L0,10 z', class: 'head'}))),
		heads, rows);
}

async function showIndex(main) {
	const input = el('input', {type: 'text', name: 'message_id', placeholder: '<id@host>', 'aria-label': 'Message-ID', size: 48});
	const form = el('form', {class: 'search', onsubmit: (e) => {
		e.preventDefault();
		if (input.value.trim()) location.hash = `#/journey/${seg(input.value.trim())}`;
	}}, input, el('button', {type: 'submit', text: 'Show journey'}));
	const recent = el('ul', {class: 'recent'});
	main.append(el('h1', {text: 'Journey of a message'}), el('p', {class: 'lead', text: 'Every step a message took, across providers, from the events of each server.'}), form, el('h2', {text: 'Recently accepted here'}), recent);
	const add = (e) => recent.prepend(el('li', {}, el('a', {href: `#/journey/${seg(e.message_id)}`, text: e.message_id}), el('span', {class: 'muted', text: ` ${formatMicros(e.t)} from ${e.from || '<>'}`})));
	const answer = await getJson('events').catch(() => ({events: []}));
	(answer.events || []).filter((e) => e.type === 'message.accepted' && e.message_id).slice(-20).forEach(add);
	return {
		onEvent(event) {
			if (event.type === 'message.accepted' && event.message_id) add(event);
		},
	};
}

export async function showJourney(main, messageId) {
	if (!messageId) return showIndex(main);
	const area = el('div', {class: 'scroll'});
	const summary = el('p', {class: 'lead'});
	const failures = el('div', {});
	main.append(el('h1', {}, 'Journey of ', el('code', {text: messageId})), summary, failures, area);

	async function load() {
		const journey = await getJson(`journey/${seg(messageId)}`);
		const events = journey.events || [];
		failures.replaceChildren(...(journey.servers || []).filter((s) => s.ok === false)
			.map((s) => notice(`${s.server}: its events could not be read (${s.error || 'no answer'})`, 'error')));
		if (!events.length) {
			summary.textContent = 'No events of this message (yet).';
			area.replaceChildren();
			return;
		}
		const model = buildJourney(events);
		const t0 = events[0].t;
		const servers = [...new Set(events.map((e) => e.server))];
		summary.textContent = `${events.length} events on ${servers.join(', ')} over ${((events[events.length - 1].t - t0) / 1000).toFixed(1)} ms, starting ${formatMicros(t0)}.`;
		area.replaceChildren(draw(model, t0));
	}
	await load();
	const refresh = debounce(() => load().catch(() => {}), 300);
	// The stream carries this server's events only; the next hop's (delivery, RETR) are
	// fetched again every few seconds while the view is open.
	const timer = setInterval(refresh, OTHERS_MS);
	return {
		onEvent(event) {
			if (event.message_id && bare(event.message_id) === bare(messageId)) refresh();
		},
		dispose: () => {
			clearInterval(timer);
			refresh.cancel();
		},
	};
}
