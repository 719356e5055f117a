// tests/compat/aisdk.mjs: the Vercel AI SDK (`ai` with `@ai-sdk/openai`,
// pinned in the package.json next to it) drives POST /v1/responses through
// its default provider `openai(model)`: generateText and streamText, two
// turns each (the second passes the first's response messages back, so the
// SDK sends item_reference items), and a turn with a server-side tool call.
// SPDX-License-Identifier: MIT
//
// Run by tests/integration/t0870-compat-responses.sh from the directory
// where `npm ci` installed the packages; lib.mjs describes the
// environment. Prints TAP and exits non-zero when a case failed.

import { readFileSync } from 'node:fs';
import { generateText, streamText } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import {
	HERMES_URL, HERMES_KEY, MODEL, diag, is, ok, run, checkEnv, finish,
	script, requests, toolRoundTrip, setPrefix,
} from './lib.mjs';

checkEnv();

const version = (name) => JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
setPrefix(`ai@${version('ai')} @ai-sdk/openai@${version('@ai-sdk/openai')}: `);

// Every request body the SDK sends to hermes-fcgi, to see what it sent.
const sent = [];
const provider = createOpenAI({
	baseURL: HERMES_URL,
	apiKey: HERMES_KEY,
	fetch: async (url, init) => {
		sent.push({ url: String(url), body: init?.body ? JSON.parse(init.body) : null });
		return fetch(url, init);
	},
});
const model = provider(MODEL);

async function lastTurns() {
	const reqs = (await requests()).filter((r) => /chat\/completions/.test(r.path));
	const msgs = reqs.length ? reqs[reqs.length - 1].body?.messages || [] : [];
	return JSON.stringify(msgs.filter((m) => m.role !== 'system').map((m) => [m.role,
		typeof m.content === 'string' ? m.content : (m.content || []).map((p) => p.text || '').join('')]));
}
const lastSent = () => sent[sent.length - 1] || {};
const refs = (body) => (body?.input || []).filter((it) => it.type === 'item_reference');

// Both turns of a two-turn conversation with call(messages) = generateText
// or streamText; label names the case.
async function twoTurns(label, call) {
	const q1 = `${label}: my codeword is PELICAN-42`;
	await script([{ reply: 'Noted: PELICAN-42.' }, { reply: 'It is PELICAN-42.' }]);
	const m1 = [{ role: 'user', content: q1 }];
	const r1 = await call(m1);
	is(r1.text, 'Noted: PELICAN-42.', `${label}: turn 1 text`);
	is(r1.finishReason, 'stop', `${label}: turn 1 finishReason stop`);
	ok(/\/responses$/.test(lastSent().url), `${label}: the default provider called /v1/responses`, lastSent().url);
	ok(/^resp_/.test(r1.providerMetadata?.openai?.responseId || ''), `${label}: providerMetadata.openai.responseId`,
		r1.providerMetadata);
	const m2 = [...m1, ...r1.response.messages, { role: 'user', content: 'what is my codeword?' }];
	const r2 = await call(m2);
	is(r2.text, 'It is PELICAN-42.', `${label}: turn 2 text`);
	ok(refs(lastSent().body).length === 1, `${label}: turn 2 sent the earlier answer as an item_reference`,
		JSON.stringify(lastSent().body?.input));
	is(await lastTurns(), JSON.stringify([['user', q1], ['assistant', 'Noted: PELICAN-42.'], ['user', 'what is my codeword?']]),
		`${label}: turn 2: the upstream got turn 1 (the reference resolved)`);
}

// generateText / streamText with the results read the same way.
const gen = (messages) => generateText({ model, messages, maxRetries: 0 });
async function stream(messages) {
	const errors = [];
	const r = streamText({ model, messages, maxRetries: 0, onError: ({ error }) => errors.push(error) });
	const out = { text: await r.text, finishReason: await r.finishReason, response: await r.response,
		providerMetadata: await r.providerMetadata, toolCalls: await r.toolCalls };
	ok(errors.length === 0, 'streamText: no error parts', errors.map((e) => String(e?.message || e)).join('\n'));
	return out;
}

await run('generateText', () => twoTurns('generateText', gen));
await run('streamText', () => twoTurns('streamText', stream));

for (const [label, call] of [['generateText', gen], ['streamText', stream]]) {
	await run(`${label} tool call`, async () => {
		const id = `call_ai_${label}`;
		await script([{ reply: 'Let me check. ', tool_calls: [{ id, name: 'memory', arguments: '{"action":"read"}' }] },
			{ reply: 'Your memory is empty.' }]);
		const r = await call([{ role: 'user', content: `${label}: what do you remember?` }]);
		ok(/Your memory is empty\.$/.test(r.text), `${label} tool call: the final text`, r.text);
		is(r.finishReason, 'stop', `${label} tool call: finishReason stop (the tool ran on the server)`);
		is((r.toolCalls || []).length, 0, `${label} tool call: no client-side tool call surfaces`);
		const rt = await toolRoundTrip(id);
		ok(rt.count === 2 && rt.back, `${label} tool call: the memory tool ran server-side`, rt);
	});
}

diag(`${sent.length} requests sent to hermes-fcgi`);
finish();
