// topology.js - the providers, their domains and ports, and the zone's records drawn as
// boxes and arrows: domain -MX-> exchanger host -P/A-> provider, as a relay finds its way.

import {getJson} from './api.js';
import {el, svg, shorten} from './dom.js';

const COL = [20, 330, 730];
const BOX_W = 260;
const ROW_H = 58;

function portsText(ports) {
	return Object.entries(ports || {})
		.filter(([, port]) => port)
		.map(([name, port]) => `${name} ${port}`)
		.join(' · ');
}

function box(x, y, title, lines, kind, id) {
	const h = 24 + 16 * lines.length;
	return svg('g', {class: `box ${kind}`, 'data-id': id},
		svg('title', {text: [title, ...lines].join('\n')}),
		svg('rect', {x, y, width: BOX_W, height: h, rx: 6}),
		svg('text', {x: x + 10, y: y + 18, class: 'box-title', text: shorten(title, 34)}),
		lines.map((line, i) => svg('text', {x: x + 10, y: y + 36 + 16 * i, class: 'box-line', text: shorten(line, 40)})));
}

function arrow(from, to, label, kind) {
	const [x1, y1] = from;
	const [x2, y2] = to;
	return svg('g', {class: `link ${kind}`},
		svg('line', {x1, y1, x2: x2 - 4, y2, 'marker-end': 'url(#topo-head)'}),
		// The label sits by the arrow's tail, where the arrows of one column do not cross yet.
		svg('text', {x: x1 + 8, y: y1 - 5, class: 'link-label', text: label}));
}

/** Which provider a host name leads to: a P record's port matched against SMTP/POP ports. */
function providerOfHost(host, records, providers) {
	const p = records.find((r) => r.type === 'P' && r.name === host);
	if (!p) return null;
	const port = Number(p.value);
	return providers.find((prov) => Object.values(prov.ports || {}).some((v) => Number(v) === port)) || null;
}

function draw(topology, self) {
	const providers = topology.providers || [];
	const records = (topology.records || []).map((r) => ({...r, name: String(r.name).replace(/\.$/, ''), value: String(r.value).replace(/\.$/, '')}));
	const domains = [...new Set([...providers.flatMap((p) => p.domains || []), ...records.filter((r) => r.type === 'MX').map((r) => r.name)])];
	const hosts = [...new Set(records.filter((r) => r.type !== 'MX').map((r) => r.name).concat(records.filter((r) => r.type === 'MX').map((r) => r.value)))];
	const rows = Math.max(domains.length, hosts.length, providers.length * 2, 2);
	const height = 90 + rows * ROW_H;
	const place = new Map();
	const boxes = [];
	const links = [];

	const dnsText = topology.dns && topology.dns.listen ? `listens ${topology.dns.listen}` : '';
	boxes.push(box(COL[1], 10, 'mail-dns', [dnsText, `${records.length} records`], 'dns', 'mail-dns'));
	domains.forEach((d, i) => {
		const y = 90 + i * ROW_H;
		place.set(`d:${d}`, y + 20);
		boxes.push(box(COL[0], y, d, ['domain'], 'domain', `domain:${d}`));
	});
	hosts.forEach((h, i) => {
		const y = 90 + i * ROW_H;
		place.set(`h:${h}`, y + 20);
		const a = records.filter((r) => r.name === h && r.type === 'A').map((r) => r.value);
		boxes.push(box(COL[1], y, h, [a.length ? `A ${a.join(', ')}` : 'host'], 'host', `host:${h}`));
	});
	providers.forEach((p, i) => {
		const y = 90 + i * ROW_H * 2;
		place.set(`p:${p.server}`, y + 20);
		const lines = [`${p.address || '127.0.0.1'}`, portsText(p.ports), `serves ${(p.domains || []).join(', ')}`];
		boxes.push(box(COL[2], y, p.server === self ? `${p.server} (this console)` : p.server, lines, p.server === self ? 'provider self' : 'provider', `provider:${p.server}`));
	});
	for (const r of records.filter((x) => x.type === 'MX')) {
		const y1 = place.get(`d:${r.name}`);
		const y2 = place.get(`h:${r.value}`);
		if (y1 !== undefined && y2 !== undefined) links.push(arrow([COL[0] + BOX_W, y1], [COL[1], y2], `MX ${r.preference ?? ''}`.trim(), 'mx'));
	}
	for (const h of hosts) {
		const prov = providerOfHost(h, records, providers);
		if (!prov) continue;
		const p = records.find((r) => r.type === 'P' && r.name === h);
		links.push(arrow([COL[1] + BOX_W, place.get(`h:${h}`)], [COL[2], place.get(`p:${prov.server}`)], `P ${p.value}`, 'p'));
	}
	return svg('svg', {class: 'topology', viewBox: `0 0 ${COL[2] + BOX_W + 20} ${height}`, width: COL[2] + BOX_W + 20, height, role: 'img', 'aria-label': 'providers, domains and DNS records'},
		svg('defs', {}, svg('marker', {id: 'topo-head', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse'}, svg('path', {d: 'M0,0 L10,5 L0,10 z', class: 'head'}))),
		links, boxes);
}

function providerTable(providers, self) {
	return el('table', {class: 'grid'},
		el('thead', {}, el('tr', {}, ['server', 'domains', 'ports', 'console'].map((h) => el('th', {scope: 'col', text: h})))),
		el('tbody', {}, providers.map((p) => {
			// docs/api.md: `http` is the provider's API URL; older answers gave only ports.http.
			const port = (p.ports || {}).http;
			const url = typeof p.http === 'string' && p.http.startsWith('http') ? `${p.http.replace(/\/$/, '')}/`
				: port ? `http://${p.address && p.address !== '0.0.0.0' ? p.address : '127.0.0.1'}:${port}/` : null;
			return el('tr', {},
				el('td', {text: p.server === self ? `${p.server} (this)` : p.server}),
				el('td', {text: (p.domains || []).join(', ')}),
				el('td', {text: portsText(p.ports)}),
				el('td', {}, url ? el('a', {href: url, text: url}) : '—'));
		})));
}

function recordTable(records) {
	return el('table', {class: 'grid'},
		el('thead', {}, el('tr', {}, ['name', 'type', 'value', 'preference'].map((h) => el('th', {scope: 'col', text: h})))),
		el('tbody', {}, records.map((r) => el('tr', {},
			el('td', {text: r.name}), el('td', {text: r.type}), el('td', {text: r.value}), el('td', {text: r.preference ?? ''})))));
}

export async function showTopology(main) {
	const [topology, info] = await Promise.all([getJson('topology'), getJson('info').catch(() => ({}))]);
	main.append(
		el('h1', {text: 'Topology'}),
		el('p', {class: 'lead', text: 'Each domain\'s MX record names an exchanger host; its P record gives the port of the provider that answers (A records give addresses). This is how a relay finds the next hop.'}),
		el('div', {class: 'scroll'}, draw(topology, info.server)),
		el('h2', {text: 'Providers'}),
		providerTable(topology.providers || [], info.server),
		el('h2', {text: 'DNS records'}),
		recordTable(topology.records || []));
	return {};
}
