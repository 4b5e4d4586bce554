// api.js - the JSON API of docs/api.md, from the same origin that served the console.

export class ApiError extends Error {
	constructor(status, message) {
		super(message);
		this.status = status;
	}
}

async function call(method, path) {
	const response = await fetch(`/api/v1/${path}`, {method, headers: {Accept: 'application/json'}});
	let body = null;
	try {
		body = await response.json();
	} catch {
		body = null;
	}
	if (!response.ok) {
		const message = body && body.error && body.error.message ? body.error.message : response.statusText;
		throw new ApiError(response.status, `${method} /api/v1/${path}: ${response.status} ${message}`);
	}
	return body;
}

export const getJson = (path) => call('GET', path);
export const post = (path) => call('POST', path);
export const remove = (path) => call('DELETE', path);

/** The raw text of a message (as stored). */
export async function getText(path) {
	const response = await fetch(`/api/v1/${path}`);
	if (!response.ok) throw new ApiError(response.status, `GET /api/v1/${path}: ${response.status}`);
	return response.text();
}

/** One path segment, encoded so '/', '?' and '#' in an address or id stay in it. */
export const seg = (text) => encodeURIComponent(text);
