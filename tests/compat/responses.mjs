// tests/compat/responses.mjs: the official `openai` npm package drives the
// Responses API: responses.create, responses.stream(...).finalResponse(),
// previous_response_id, responses.retrieve, responses.inputItems.list,
// responses.delete, a turn with a server-side tool call, the 400 of an
// unknown previous_response_id, and background mode: create({background:
// true}), retrieve(id) polling, retrieve(id, {stream: true,
// starting_after}) and cancel(id).
// SPDX-License-Identifier: MIT
//
// Runs once with each pinned `openai` release of the package.json next to
// it (lib.mjs openaiReleases). Run by tests/integration/t0870-compat-responses.sh
// from the directory where `npm ci` installed them; lib.mjs describes the
// environment. Prints TAP and exits non-zero when a case failed.

import {
	HERMES_URL, HERMES_KEY, MODEL, diag, is, ok, errText, run, checkEnv, finish,
	script, requests, toolRoundTrip, openaiReleases, setPrefix,
} from './lib.mjs';

checkEnv();

// The [role, text] pairs of the non-system messages of the last chat
// request the upstream got.
async function lastTurns() {
	const reqs = (await requests()).filter((r) => /chat\/completions/.test(r.path));
	const msgs = reqs.length ? reqs[reqs.length - 1].body?.messages || [] : [];
	return msgs.filter((m) => m.role !== 'system').map((m) => [m.role,
		typeof m.content === 'string' ? m.content : (m.content || []).map((p) => p.text || '').join('')]);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const TERMINAL = ['completed', 'failed', 'incomplete', 'cancelled'];

// Every event of a stream (retrieve(id, {stream: true, ...})).
async function collect(stream) {
	const evs = [];
	for await (const ev of stream)
		evs.push(ev);
	return evs;
}

// Background mode: create, poll, resume, cancel (docs/api.md "Background
// responses").
async function backgroundCases(client, sdk) {
	await run('background', async () => {
		const text = `Background answer for ${sdk}, in pieces.`;
		await script([{ reply: text, chunk_size: 4, delay: 0.05 }]);
		const created = await client.responses.create({ model: MODEL, input: `compat ${sdk}: background`,
			background: true });
		is(created.status, 'queued', 'background: create({background: true}) answers queued');
		is(created.background, true, 'background: ... with background true');
		let r = created;
		for (let i = 0; i < 400 && !TERMINAL.includes(r.status); i++) {
			await sleep(100);
			r = await client.responses.retrieve(created.id);
		}
		is(r.status, 'completed', 'background: retrieve(id) polls it to completed');
		is(r.output_text, text, 'background: ... with the answer');
		const all = await collect(await client.responses.retrieve(created.id, { stream: true }));
		is(all[0]?.type, 'response.created', 'background: retrieve(id, {stream: true}) replays from response.created');
		is(all[all.length - 1]?.type, 'response.completed', 'background: ... to response.completed');
		ok(all.every((ev, i) => ev.sequence_number === i), 'background: sequence numbers 0, 1, 2, ...',
			all.map((ev) => ev.sequence_number));
		const tail = await collect(await client.responses.retrieve(created.id, { stream: true, starting_after: 2 }));
		is(JSON.stringify(tail), JSON.stringify(all.slice(3)),
			'background: retrieve(id, {stream: true, starting_after: 2}) gives exactly the events after 2');
	});

	await run('background cancel', async () => {
		await script([{ reply: 'this never ends', never_end: true }]);
		const created = await client.responses.create({ model: MODEL, input: `compat ${sdk}: hang`,
			background: true });
		for (let i = 0; i < 200 && !(await requests()).length; i++)
			await sleep(100);
		const c = await client.responses.cancel(created.id);
		if (c && typeof c === 'object' && 'status' in c)
			is(c.status, 'cancelled', 'background cancel: cancel(id) returns it cancelled');
		const r = await client.responses.retrieve(created.id);
		is(r.status, 'cancelled', 'background cancel: retrieve(id) says cancelled');
	});
}

async function cases(OpenAI, sdk) {
	const client = new OpenAI({ baseURL: HERMES_URL, apiKey: HERMES_KEY, maxRetries: 0, timeout: 30 * 1000 });
	let first = null;
	let second = null;
	const text = `The answer for ${sdk} is forty-two.`;

	await run('create', async () => {
		await script([{ reply: text, usage: { prompt_tokens: 9, completion_tokens: 4 } }]);
		first = await client.responses.create({ model: MODEL, input: `compat ${sdk}: the answer?` });
		ok(/^resp_/.test(first.id) && first.object === 'response', 'create: a response object with a resp_ id', first);
		is(first.status, 'completed', 'create: status completed');
		is(first.output_text, text, 'create: output_text is the answer');
		is(first.usage?.total_tokens, 13, 'create: usage counts the upstream tokens');
	});

	await run('stream', async () => {
		const streamed = `Streamed for ${sdk}, in pieces.`;
		await script([{ reply: streamed, chunk_size: 3 }]);
		const stream = client.responses.stream({ model: MODEL, input: `compat ${sdk}: stream it` });
		const types = [];
		let deltas = '';
		for await (const ev of stream) {
			types.push(ev.type);
			if (ev.type === 'response.output_text.delta')
				deltas += ev.delta;
		}
		const fin = await stream.finalResponse();
		is(types[0], 'response.created', 'stream: the first event is response.created');
		is(types[types.length - 1], 'response.completed', 'stream: the last event is response.completed');
		is(deltas, streamed, 'stream: the deltas are the text');
		is(fin.status, 'completed', 'stream: finalResponse() is completed');
		is(fin.output_text, streamed, 'stream: finalResponse().output_text is the text');
	});

	await run('previous_response_id', async () => {
		ok(first, 'previous_response_id: the first response exists');
		await script([{ reply: 'You asked for the answer.' }]);
		second = await client.responses.create({ model: MODEL, input: 'what did I ask?', previous_response_id: first.id });
		is(second.previous_response_id, first.id, 'previous_response_id: echoed');
		is(second.output_text, 'You asked for the answer.', 'previous_response_id: the answer');
		is(JSON.stringify(await lastTurns()), JSON.stringify([['user', `compat ${sdk}: the answer?`],
			['assistant', text], ['user', 'what did I ask?']]),
		'previous_response_id: the upstream got the earlier turn');
	});

	await run('retrieve', async () => {
		const got = await client.responses.retrieve(first.id);
		is(got.id, first.id, 'retrieve: the id');
		is(got.output_text, text, 'retrieve: the text');
		is(got.status, 'completed', 'retrieve: status completed');
	});

	await run('inputItems.list', async () => {
		const items = [];
		for await (const it of client.responses.inputItems.list(second.id))
			items.push(it);
		ok(items.length >= 1 && items.every((it) => typeof it.id === 'string'),
			'inputItems.list: items with ids', items);
		const last = items.find((it) => it.type === 'message' && it.role === 'user' &&
			JSON.stringify(it.content).includes('what did I ask?'));
		ok(last, 'inputItems.list: the request\'s user message is there', items);
	});

	await run('delete', async () => {
		// openai 4.x names it del(), 5.x delete().
		const del = client.responses.delete || client.responses.del;
		await del.call(client.responses, first.id);
		let err = null;
		try {
			err = { notThrown: await client.responses.retrieve(first.id) };
		} catch (e) {
			err = e;
		}
		ok(err instanceof OpenAI.NotFoundError, 'delete: a later retrieve raises NotFoundError',
			err?.notThrown ? `no error: ${JSON.stringify(err.notThrown).slice(0, 300)}` : errText(err));
	});

	await run('tool call', async () => {
		await script([{ reply: 'Let me check. ', tool_calls: [{ id: 'call_rmem_1', name: 'memory', arguments: '{"action":"read"}' }] },
			{ reply: 'Your memory is empty.', chunk_size: 4 }]);
		const stream = client.responses.stream({ model: MODEL, input: `compat ${sdk}: what do you remember?` });
		const fin = await stream.finalResponse();
		is(fin.status, 'completed', 'tool call: the stream helper finishes (no unknown event types)');
		ok(/Your memory is empty\.$/.test(fin.output_text), 'tool call: the final text', fin.output_text);
		const rt = await toolRoundTrip('call_rmem_1');
		ok(rt.count === 2 && rt.back, 'tool call: the memory tool ran server-side', rt);
	});

	await run('unknown previous_response_id', async () => {
		await script([{ reply: 'must not be used' }]);
		let err = null;
		try {
			err = { notThrown: await client.responses.create({ model: MODEL, input: 'x', previous_response_id: 'resp_unknown000000' }) };
		} catch (e) {
			err = e;
		}
		ok(err instanceof OpenAI.BadRequestError, 'unknown previous_response_id: BadRequestError',
			err?.notThrown ? `no error: ${JSON.stringify(err.notThrown).slice(0, 300)}` : errText(err));
		is(err?.code, 'previous_response_not_found', 'unknown previous_response_id: code previous_response_not_found');
		is((await requests()).length, 0, 'unknown previous_response_id: nothing reached the upstream');
	});

	await backgroundCases(client, sdk);
}

for (const [name, version] of openaiReleases()) {
	setPrefix(`openai@${version} responses: `);
	diag(`${name} = openai@${version}`);
	await cases((await import(name)).default, name);
}
finish();
