// tests/compat/lib.mjs: what the compatibility scripts (chat.mjs,
// responses.mjs, aisdk.mjs) share: TAP output, the watchdog, the scripted
// upstream's control endpoints and the list of pinned `openai` releases.
// SPDX-License-Identifier: MIT
//
// Environment (checked by checkEnv):
//   HERMES_URL        the API base the SDK gets, ending in /v1
//   HERMES_KEY        a valid API key (API_SERVER_KEY)
//   HERMES_WRONG_KEY  optional: a key that is not it
//   UPSTREAM_CONTROL  the scripted upstream's root (http://127.0.0.1:PORT);
//                     POST /__script there sets what the "LLM" answers
//                     (tests/upstream/README.md)
//   COMPAT_TIMEOUT    seconds before the watchdog fails the run (60)

import { readFileSync } from 'node:fs';

export const { HERMES_URL, HERMES_KEY, UPSTREAM_CONTROL } = process.env;
export const WRONG_KEY = process.env.HERMES_WRONG_KEY ||
	'9e8f7b3d5f3c9a1e7b2d48c6a0e4f19b3d7c2a856e1f0b9d4c8a3e7f2b6d1c0a';
export const MODEL = process.env.HERMES_MODEL_NAME || 'hermes-agent';
const WATCHDOG_S = Number(process.env.COMPAT_TIMEOUT || 60);

let n = 0;
let failed = 0;
let prefix = ''; // which SDK release the current case runs with

export function setPrefix(p) {
	prefix = p;
}
export function diag(text) {
	for (const line of String(text).split('\n'))
		console.log(`# ${line}`);
}
export function pass(desc) {
	console.log(`ok ${++n} - ${prefix}${desc}`);
}
export function fail(desc, ...why) {
	failed++;
	console.log(`not ok ${++n} - ${prefix}${desc}`);
	for (const w of why)
		diag(typeof w === 'string' ? w : JSON.stringify(w));
}
export function is(got, want, desc) {
	if (got === want)
		pass(desc);
	else
		fail(desc, `got:  ${JSON.stringify(got)}`, `want: ${JSON.stringify(want)}`);
}
export function ok(cond, desc, ...why) {
	if (cond)
		pass(desc);
	else
		fail(desc, ...why);
}
export function errText(e) {
	if (!e)
		return String(e);
	const parts = [`${e.constructor?.name || 'Error'}: ${e.message}`];
	if (e.status !== undefined)
		parts.push(`status ${e.status}`);
	if (e.error !== undefined)
		parts.push(`error ${JSON.stringify(e.error)}`);
	if (e.responseBody !== undefined)
		parts.push(`body ${String(e.responseBody).slice(0, 500)}`);
	if (e.stack)
		parts.push(e.stack.split('\n').slice(1, 4).join('\n'));
	return parts.join('\n');
}

// run(desc, fn): one case; an exception out of it is one failed test.
export async function run(desc, fn) {
	try {
		await fn();
	} catch (e) {
		fail(`${desc}: threw`, errText(e));
	}
}

// Bails out when the environment is incomplete, and arms the watchdog: a
// hung server must not hang the test.
export function checkEnv() {
	for (const [k, v] of Object.entries({ HERMES_URL, HERMES_KEY, UPSTREAM_CONTROL })) {
		if (!v) {
			console.log(`Bail out! ${k} is not set`);
			process.exit(2);
		}
	}
	const watchdog = setTimeout(() => {
		fail(`watchdog: the cases did not finish in ${WATCHDOG_S} s`);
		console.log(`1..${n}`);
		process.exit(1);
	}, WATCHDOG_S * 1000);
	watchdog.unref();
}

// Prints the plan and exits with the status of the run.
export function finish() {
	prefix = '';
	console.log(`1..${n}`);
	if (failed)
		diag(`${failed} of ${n} tests failed`);
	process.exit(failed ? 1 : 0);
}

// ---- the scripted upstream ------------------------------------------------------

export async function control(path, body) {
	const res = await fetch(`${UPSTREAM_CONTROL}${path}`, {
		method: body === undefined ? 'GET' : 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	if (!res.ok)
		throw new Error(`upstream ${path}: HTTP ${res.status} ${await res.text()}`);
	return res.json();
}
export async function script(steps) {
	await control('/__reset', {});
	await control('/__script', steps);
}
export const requests = () => control('/__requests');

// The chat requests the upstream got, and whether one of them carried the
// result of tool call ID back to the model (the tool really ran).
export async function toolRoundTrip(id) {
	const reqs = (await requests()).filter((r) => /chat\/completions/.test(r.path));
	const back = reqs.some((r) => (r.body?.messages || []).some(
		(m) => m.role === 'tool' && m.tool_call_id === id));
	return { count: reqs.length, back };
}

// The pinned releases of the `openai` package in the package.json next to
// this file (`openai` itself and npm aliases of it such as `openai-v4`), as
// [[dependency name, version], ...].
export function openaiReleases() {
	const here = (p) => new URL(p, import.meta.url);
	const deps = JSON.parse(readFileSync(here('./package.json'), 'utf8')).dependencies || {};
	return Object.entries(deps)
		.filter(([name, spec]) => name === 'openai' || String(spec).startsWith('npm:openai@'))
		.map(([name]) => [name,
			JSON.parse(readFileSync(here(`./node_modules/${name}/package.json`), 'utf8')).version]);
}
