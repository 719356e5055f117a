// tests/compat/chat.mjs: the official `openai` npm package drives
// POST /v1/chat/completions.
// SPDX-License-Identifier: MIT
//
// The package.json next to this script pins releases of the `openai`
// package (the current major as `openai`, older majors under npm aliases
// such as `openai-v4`); the cases run once with each. Run by
// tests/integration/t0820-compat-openai-sdk.sh from the directory where `npm ci` installed them, next to lib.mjs (which
// describes the environment it reads).
// Prints TAP ("ok N - ...", "not ok N - ...", "1..N" at the end) and exits
// non-zero when a case failed. Only talks to the URLs it is given.

import {
	HERMES_URL, HERMES_KEY, WRONG_KEY, MODEL, diag, fail, is, ok, errText, run, checkEnv, finish,
	script, requests, toolRoundTrip, openaiReleases, setPrefix,
} from './lib.mjs';

checkEnv();

// ---- the cases, once per pinned SDK ----------------------------------------------

async function cases(OpenAI, sdk) {
	const client = new OpenAI({
		baseURL: HERMES_URL,
		apiKey: HERMES_KEY,
		maxRetries: 0, // a wrong status must show, not be retried away
		timeout: 30 * 1000,
	});

	const streamHelper = (params) => (typeof client.chat.completions.stream === 'function'
		? client.chat.completions.stream(params)
		: client.beta.chat.completions.stream(params));

	// 1. create, non-streaming.
	await run('create', async () => {
		const text = 'The capital of France is Paris.';
		await script([{ reply: text }]);
		const r = await client.chat.completions.create({
			model: MODEL,
			messages: [
				{ role: 'system', content: 'You are terse.' },
				{ role: 'user', content: `compat ${sdk} create: what is the capital of France?` },
			],
		});
		ok(r && typeof r === 'object', 'create: the SDK got an object (Content-Type application/json)',
			`got ${typeof r}: ${String(r).slice(0, 300)}`);
		is(r?.object, 'chat.completion', 'create: object is chat.completion');
		is(r?.choices?.[0]?.message?.content, text, 'create: content equals the scripted reply');
		is(r?.choices?.[0]?.finish_reason, 'stop', 'create: finish_reason stop');
		ok(Number.isInteger(r?.usage?.total_tokens), 'create: usage reported', r?.usage);
	});

	// 2. stream, for await, with a tool call in the middle.
	await run('for await', async () => {
		const text = 'All tasks are done; nothing left on the list.';
		await script([
			{ tool_calls: [{ id: 'call_todo_1', name: 'todo', arguments: {} }] },
			{ reply: text, chunk_size: 3 },
		]);
		const stream = await client.chat.completions.create({
			model: MODEL,
			messages: [{ role: 'user', content: `compat ${sdk} for-await: check the todo list` }],
			stream: true,
			stream_options: { include_usage: true },
		});
		let content = '';
		let chunks = 0;
		const progress = [];
		let finish = null;
		let usage = null;
		const ids = new Set();
		let noChoices = 0;
		const notChunks = [];
		for await (const chunk of stream) {
			chunks++;
			ids.add(chunk.id);
			if (chunk.object !== 'chat.completion.chunk' || !Array.isArray(chunk.choices)) {
				notChunks.push(chunk);
				continue;
			}
			if (chunk.choices.length === 0)
				noChoices++;
			if (chunk.hermes?.type === 'tool.progress')
				progress.push(chunk.hermes);
			if (chunk.usage)
				usage = chunk.usage;
			for (const c of chunk.choices) {
				if (c.delta?.content)
					content += c.delta.content;
				if (c.finish_reason)
					finish = c.finish_reason;
			}
		}
		ok(notChunks.length === 0, 'for await: every item the loop gets is a chunk with a choices array',
			`${notChunks.length} of ${chunks} are not, the first: ${JSON.stringify(notChunks[0])}`);
		is(content, text, 'for await: the concatenated deltas equal the text');
		is(finish, 'stop', 'for await: finish_reason stop');
		is(progress.length, 1, 'for await: one tool-progress chunk (choices []) reached the loop without breaking it');
		is(progress[0]?.tool, 'todo', 'for await: the progress chunk names the tool');
		is(progress[0]?.toolCallId, 'call_todo_1', 'for await: the progress chunk carries the tool call id');
		ok(noChoices >= 1 && ids.size === 1, 'for await: chunks with choices [] and one constant id',
			`chunks ${chunks}, with choices [] ${noChoices}, ids ${JSON.stringify([...ids])}`);
		ok(Number.isInteger(usage?.total_tokens), 'for await: include_usage gives a usage chunk', usage);
		const rt = await toolRoundTrip('call_todo_1');
		ok(rt.back && rt.count === 2, 'for await: the tool ran and its result went back upstream', rt);
	});

	// 3. the .stream() helper, with a tool call in the middle.
	await run('.stream() helper', async () => {
		const text = 'Memory is empty, so I know nothing about you yet.';
		await script([
			{ tool_calls: [{ id: 'call_mem_1', name: 'memory', arguments: { action: 'read' } }] },
			{ reply: text, chunk_size: 5 },
		]);
		const stream = streamHelper({
			model: MODEL,
			messages: [{ role: 'user', content: `compat ${sdk} helper: what do you remember about me?` }],
			stream_options: { include_usage: true },
		});
		let deltas = '';
		let progress = 0;
		stream.on('content', (delta) => { deltas += delta; });
		stream.on('chunk', (chunk) => {
			if (chunk.hermes?.type === 'tool.progress')
				progress++;
		});
		const final = await stream.finalChatCompletion();
		is(final?.choices?.[0]?.message?.content, text, '.stream(): finalChatCompletion() content equals the text');
		is(final?.choices?.[0]?.finish_reason, 'stop', '.stream(): finish_reason stop');
		is(deltas, text, '.stream(): the content events add up to the text');
		is(progress, 1, '.stream(): the tool-progress chunk went through the helper');
		const rt = await toolRoundTrip('call_mem_1');
		ok(rt.back && rt.count === 2, '.stream(): the tool ran and its result went back upstream', rt);
	});

	// 4. a wrong key.
	await run('wrong key', async () => {
		await script([{ reply: 'must not be used' }]);
		const bad = new OpenAI({ baseURL: HERMES_URL, apiKey: WRONG_KEY, maxRetries: 0, timeout: 30 * 1000 });
		let err = null;
		try {
			const r = await bad.chat.completions.create({
				model: MODEL,
				messages: [{ role: 'user', content: `compat ${sdk} wrong key` }],
			});
			err = { notThrown: r };
		} catch (e) {
			err = e;
		}
		ok(err instanceof OpenAI.AuthenticationError, 'wrong key: the SDK raises AuthenticationError',
			err?.notThrown ? `no error; got ${JSON.stringify(err.notThrown).slice(0, 300)}` : errText(err));
		is(err?.status, 401, 'wrong key: status 401');
		ok(typeof err?.error?.message === 'string' && err.error.message.length > 0,
			'wrong key: the error envelope has a message', err?.error);
		is((await requests()).length, 0, 'wrong key: nothing reached the upstream');
	});

	// 5. a file content part.
	await run('file part', async () => {
		await script([{ reply: 'must not be used' }]);
		let err = null;
		try {
			const r = await client.chat.completions.create({
				model: MODEL,
				messages: [{
					role: 'user',
					content: [
						{ type: 'text', text: `compat ${sdk} file: summarise this` },
						{ type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0xLjQK' } },
					],
				}],
			});
			err = { notThrown: r };
		} catch (e) {
			err = e;
		}
		ok(err instanceof OpenAI.BadRequestError, 'file part: the SDK raises BadRequestError',
			err?.notThrown ? `no error; got ${JSON.stringify(err.notThrown).slice(0, 300)}` : errText(err));
		is(err?.status, 400, 'file part: status 400');
		is(err?.code, 'unsupported_content_type', 'file part: error code unsupported_content_type');
		ok(typeof err?.param === 'string' && err.param.startsWith('messages[0].content[1]'),
			'file part: param names the part (messages[0].content[1])', `param ${JSON.stringify(err?.param)}`);
		is((await requests()).length, 0, 'file part: nothing reached the upstream');
	});
}

for (const [name, version] of openaiReleases()) {
	setPrefix(`openai@${version}: `);
	diag(`${name} = openai@${version}`);
	await cases((await import(name)).default, name);
}
finish();
