// tests/compat/client_tools.mjs: client tools driven by the clients' own
// tool loops. The official `openai` package (each pinned release):
// chat.completions.runTools() with a client function, not streamed and
// streamed (the stream helper assembles delta.tool_calls); the Vercel AI
// SDK: generateText and streamText with a client tool() and stopWhen:
// stepCountIs(3) on the default provider (/v1/responses). In each, the
// model's first message calls the server's memory tool and the client's
// get_weather together:
// the server runs memory, the client runs get_weather, the server resumes
// the stored turn with both results and answers.
// SPDX-License-Identifier: MIT
//
// Run by tests/integration/t0980-compat-client-tools.sh from the directory
// where `npm ci` installed the packages; lib.mjs describes the
// environment. Prints TAP and exits non-zero when a case failed.

import { readFileSync } from 'node:fs';
import { generateText, streamText, stepCountIs, tool } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { z } from 'zod';
import {
	HERMES_URL, HERMES_KEY, MODEL, diag, is, ok, run, checkEnv, finish,
	script, requests, openaiReleases, setPrefix,
} from './lib.mjs';

checkEnv();

// The upstream's script: both calls in one message, then the answer once
// the client's result ("sunny 21C") is in the context.
async function scriptCalls(tag) {
	await script([
		{ reply: 'Checking. ', tool_calls: [
			{ id: `call_s_${tag}`, name: 'memory', arguments: '{"action":"read"}' },
			{ id: `call_c_${tag}`, name: 'get_weather', arguments: '{"city":"Paris"}' }] },
		{ match: 'sunny 21C', reply: 'It is sunny in Paris.', chunk_size: 4 },
	]);
}

// The upstream's last request resumed the stored turn: the server's result
// of call_s_TAG and the client's of call_c_TAG, after the assistant
// message that made both calls.
async function resumed(tag) {
	const reqs = (await requests()).filter((r) => /chat\/completions/.test(r.path));
	const msgs = reqs.length ? reqs[reqs.length - 1].body?.messages || [] : [];
	const calls = msgs.filter((m) => m.role === 'assistant' && m.tool_calls).flatMap((m) => m.tool_calls.map((c) => c.id));
	const results = msgs.filter((m) => m.role === 'tool').map((m) => m.tool_call_id);
	const offered = (reqs[0]?.body?.tools || []).map((t) => t.function?.name);
	return { count: reqs.length, calls, results, offered,
		good: reqs.length === 2 && JSON.stringify(calls) === JSON.stringify([`call_s_${tag}`, `call_c_${tag}`]) &&
			JSON.stringify(results) === JSON.stringify([`call_s_${tag}`, `call_c_${tag}`]) &&
			offered.includes('get_weather') && offered.includes('memory') };
}

const weatherParams = {
	type: 'object', properties: { city: { type: 'string' } }, required: ['city'],
};

async function openaiCases(OpenAI, name) {
	const client = new OpenAI({ baseURL: HERMES_URL, apiKey: HERMES_KEY, maxRetries: 0, timeout: 30 * 1000 });
	// 5.x: chat.completions.runTools; 4.x: beta.chat.completions.runTools
	const completions = client.chat.completions.runTools ? client.chat.completions : client.beta.chat.completions;
	for (const stream of [false, true]) {
		const label = `runTools (stream ${stream})`;
		await run(label, async () => {
			const tag = `${name.replace(/[^a-z0-9]/gi, '')}_${stream}`;
			const seen = [];
			await scriptCalls(tag);
			const runner = completions.runTools({
				model: MODEL,
				stream,
				messages: [{ role: 'user', content: `${label} ${name}: weather in Paris?` }],
				tools: [{ type: 'function', function: {
					name: 'get_weather', description: 'The weather in a city', parameters: weatherParams,
					parse: JSON.parse,
					function: (args) => { seen.push(args); return 'sunny 21C'; },
				} }],
			});
			const content = await runner.finalContent();
			is(content, 'It is sunny in Paris.', `${label}: the final content after the client's tool ran`);
			is(JSON.stringify(seen), JSON.stringify([{ city: 'Paris' }]),
				`${label}: the SDK ran get_weather once with the model's arguments`);
			const msgs = runner.messages.map((m) => m.role);
			ok(msgs.includes('tool') && msgs[msgs.length - 1] === 'assistant',
				`${label}: the SDK's transcript has the tool result and the final assistant message`, msgs);
			const r = await resumed(tag);
			ok(r.good, `${label}: the server resumed its stored turn with the server's and the client's results`, r);
		});
	}
}

for (const [name, version] of openaiReleases()) {
	setPrefix(`${name}@${version}: `);
	await openaiCases((await import(name)).default, name);
}

const pkg = (name) => JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), 'utf8'));
setPrefix(['ai', '@ai-sdk/openai'].map((p) => `${p}@${pkg(p).version}`).join(' ') + ': ');
// What the SDK sends to /v1/responses (the second request shows how it
// hands the function's result back).
const sent = [];
const recording = async (url, init) => {
	sent.push({ url: String(url), body: init?.body ? JSON.parse(init.body) : null });
	return fetch(url, init);
};
const provider = createOpenAI({ baseURL: HERMES_URL, apiKey: HERMES_KEY, fetch: recording });

// generateText, or streamText read the same way.
const gen = (opts) => generateText(opts);
async function stream(opts) {
	const errors = [];
	const r = streamText({ ...opts, onError: ({ error }) => errors.push(error) });
	const out = { text: await r.text, steps: await r.steps, finishReason: await r.finishReason };
	ok(errors.length === 0, 'streamText: no error parts', errors.map((e) => String(e?.message || e)).join('\n'));
	return out;
}

for (const [label, call] of [['generateText', gen], ['streamText', stream]]) {
	await run(`${label} with a client tool`, async () => {
		const seen = [];
		const tag = `ai_${label}`;
		sent.length = 0;
		await scriptCalls(tag);
		const r = await call({
			model: provider(MODEL),
			maxRetries: 0,
			stopWhen: stepCountIs(3),
			prompt: `${label}: weather in Paris?`,
			tools: {
				get_weather: tool({
					description: 'The weather in a city',
					inputSchema: z.object({ city: z.string() }),
					execute: async ({ city }) => { seen.push(city); return 'sunny 21C'; },
				}),
			},
		});
		is(r.text, 'It is sunny in Paris.', `${label}: the final text of the two-step loop`);
		is(r.steps.length, 2, `${label}: two steps (the tool call, then the answer)`);
		is(r.steps[0]?.finishReason, 'tool-calls', `${label}: step 1 ended in tool-calls`);
		is(JSON.stringify(seen), JSON.stringify(['Paris']), `${label}: the SDK ran get_weather with the model's arguments`);
		is(r.finishReason, 'stop', `${label}: finishReason stop`);
		ok(sent.length === 2 && sent.every((x) => /\/responses$/.test(x.url)),
			`${label}: two requests to /v1/responses`, sent.map((x) => x.url));
		const rt = await resumed(tag);
		ok(rt.good, `${label}: the server resumed its stored turn with the server's and the client's results`, rt);
		if (!rt.good)
			diag(JSON.stringify(sent[1]?.body?.input));
	});
}

finish();
