# tests/integration/client_tools_cases.sh: client tools (the request's own
# functions, called back through the client) and per-request server
# toolsets, run against a server in front of hermes-fcgi (lighttpd,
# Apache+mod_fcgid) whose responders talk to the scripted upstream.
# SPDX-License-Identifier: MIT
#
# Sourced after lib.sh, chat_cases.sh and runs_cases.sh. Gives:
#   run_client_tools_cases BASE_URL KEY LABEL [HOME]
#       every case for a server whose .env came from runs_env (chat_env)
#       with no extra settings; with HOME, also what the store holds
#   run_server_tools_off_cases BASE_URL KEY LABEL
#       for a server whose .env has API_SERVER_TOOLS=off

CT_WEATHER='{"type":"function","function":{"name":"get_weather","description":"The weather in a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}'
CT_WEATHER_R='{"type":"function","name":"get_weather","description":"The weather in a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}'

# up_tool_names N: the tool names the upstream's Nth recorded request
# (0-based) offered, sorted and comma-joined ("-" when it sent no tools),
# then " choice=" and its tool_choice as JSON.
up_tool_names() {
	up_requests "$T/up.json"
	pycheck "$T/up.json" '
b = j[int(argv[0])]["body"] if len(j) > int(argv[0]) else {}
names = sorted(t["function"]["name"] for t in b.get("tools") or [])
print("%s choice=%s" % (",".join(names) or "-", json.dumps(b.get("tool_choice"), separators=(",", ":"))))
' "$1"
}

# ct_env_problem STATUS CODE PARAM: RESP_* is an OpenAI error envelope with
# that status, code and param; prints what is wrong.
ct_env_problem() {
	any_envelope_problem "$1"
	pycheck "$RESP_BODY" '
e = j.get("error") or {}
if e.get("code") != argv[0] or e.get("param") != argv[1]:
    print("code/param %r %r, want %r %r: %s" % (e.get("code"), e.get("param"), argv[0], argv[1], e.get("message")))
' "$2" "$3"
}

# ct_response BASE KEY BODY STREAM OUT: POST /v1/responses; OUT.obj gets
# the Response (streamed: the one response.completed carried, or
# {"events": [types]}), OUT.json the stream's chat_client.py report.
ct_response() {
	if [ "$4" = true ]; then
		CHAT_PATH=/v1/responses chat_stream "$1" "$2" "$3" "$5.json"
		pycheck "$5.json" '
evs = [json.loads(e["data"]) for e in j.get("events") or []]
done = [e for e in evs if e.get("type") == "response.completed"]
json.dump(done[-1]["response"] if done else {"events": [e.get("type") for e in evs]}, open(argv[0], "w"))
' "$5.obj" > /dev/null
	else
		CHAT_PATH=/v1/responses chat_post "$1" "$2" "$3"
		cp "$RESP_BODY" "$5.obj"
	fi
}

# ct_bg_wait BASE KEY ID OUT: poll GET /v1/responses/ID until it ends
# (60 s at most); OUT gets the last answer.
ct_bg_wait() {
	resp_wait "$1" "$2" "$3" 'completed|failed|cancelled|incomplete' 60 > /dev/null
	cp "$RESP_BODY" "$4"
}

# The first model message calls the server's memory tool and the client's
# get_weather together; the second (after the client's result) answers.
CT_SCRIPT_CALLS='{"reply":"Checking. ","tool_calls":[{"id":"call_s1","name":"memory","arguments":"{\"action\":\"read\"}"},{"id":"call_c1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"}]}'
CT_SCRIPT_ANSWER='{"match":"sunny 21C","reply":"It is sunny in Paris.","chunk_size":5}'

# The upstream's second request: the stored turn (one user message, the
# assistant message with both calls, the server result of call_s1) and the
# client's result of call_c1, in that order.
CT_RESUMED='
if len(j) != 2:
    print("%d upstream requests, want 2" % len(j))
else:
    m = j[1]["body"]["messages"]
    roles = [x.get("role") for x in m]
    if roles.count("user") != 1:
        print("user messages: %d, want 1: %s" % (roles.count("user"), roles))
    a = [x for x in m if x.get("role") == "assistant" and x.get("tool_calls")]
    ids = [c["id"] for c in a[-1]["tool_calls"]] if a else []
    if ids != ["call_s1", "call_c1"]:
        print("assistant tool_calls ids %s, want call_s1, call_c1" % ids)
    tr = [(x.get("tool_call_id"), x.get("content")) for x in m if x.get("role") == "tool"]
    if [t[0] for t in tr] != ["call_s1", "call_c1"] or "sunny 21C" not in str(tr[-1][1]):
        print("tool results %s" % tr)
    if roles[-1] != "tool":
        print("last message %s, want the client tool result" % roles[-1])
'

run_client_tools_cases() {
	local base=${1%/} key=$2 where=$3 home=${4:-} body rid rid2

	# ---- chat, not streamed ---------------------------------------------------
	# An earlier conversation with the same start shares the derived
	# session: resuming must not bring its messages into the context.
	up_script '[{"reply":"An earlier answer."}]'
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"weather in Paris? (ct chat)"}]}'
	is "$RESP_STATUS" 200 "$where: chat: an earlier conversation with the same opening"
	up_script "[$CT_SCRIPT_CALLS,$CT_SCRIPT_ANSWER]"
	body='{"messages":[{"role":"user","content":"weather in Paris? (ct chat)"}],"tools":['"$CT_WEATHER"']}'
	chat_post "$base" "$key" "$body"
	check "$where: chat: a call of a client function ends the turn: finish_reason tool_calls, message.tool_calls holds only the client's call, the text so far as content" "$(pycheck "$RESP_BODY" '
c = (j.get("choices") or [{}])[0]
m = c.get("message") or {}
if c.get("finish_reason") != "tool_calls":
    print("finish_reason %r" % c.get("finish_reason"))
want = [{"id": "call_c1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]
if m.get("tool_calls") != want:
    print("tool_calls %s" % m.get("tool_calls"))
if m.get("content") != "Checking. ":
    print("content %r" % m.get("content"))
')" "$(head -c 1500 "$RESP_BODY")"
	# (terminal and execute_code are there unless the server runs as a
	# shared web user)
	like "$(up_tool_names 0)" '^(execute_code,)?get_weather,memory,patch,read_file,search_files,skill_view,skills_list,(terminal,)?todo,write_file choice=null$' \
		"$where: chat: the upstream is offered the server's tools and the client's function"
	body='{"messages":[{"role":"user","content":"weather in Paris? (ct chat)"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_c1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},{"role":"tool","tool_call_id":"call_c1","content":"sunny 21C"}],"tools":['"$CT_WEATHER"']}'
	chat_post "$base" "$key" "$body"
	check "$where: chat: the tool message resumes the turn: finish_reason stop and the final answer" "$(pycheck "$RESP_BODY" '
c = (j.get("choices") or [{}])[0]
if c.get("finish_reason") != "stop" or (c.get("message") or {}).get("content") != "It is sunny in Paris.":
    print("choice %s" % c)
')" "$(head -c 1500 "$RESP_BODY")"
	up_requests "$T/up.json"
	check "$where: chat: the resumed call carries the stored turn with the server's result, then the client's" \
		"$(pycheck "$T/up.json" "$CT_RESUMED")" "$(head -c 3000 "$T/up.json")"

	# ---- chat, streamed -------------------------------------------------------
	up_script "[$CT_SCRIPT_CALLS,$CT_SCRIPT_ANSWER]"
	body='{"stream":true,"messages":[{"role":"user","content":"weather in Paris? (ct stream)"}],"tools":['"$CT_WEATHER"']}'
	chat_stream "$base" "$key" "$body" "$T/ct1.json"
	check "$where: chat stream: a stream that ends in a client call follows the chunk rules" \
		"$(pycheck "$T/ct1.json" "$STREAM_RULES")" "$(jget 'j["lines"]' "$T/ct1.json" | head -c 3000)"
	check "$where: chat stream: delta.tool_calls chunks (index, then id/type/name, then the arguments) and finish_reason tool_calls" "$(pycheck "$T/ct1.json" '
calls, fin = {}, None
for e in j.get("events") or []:
    if e["data"] == "[DONE]":
        continue
    for ch in json.loads(e["data"]).get("choices") or []:
        fin = ch.get("finish_reason") or fin
        for tc in (ch.get("delta") or {}).get("tool_calls") or []:
            if not isinstance(tc.get("index"), int) or not isinstance(tc.get("function"), dict):
                print("tool call delta without index or function: %s" % tc)
            c = calls.setdefault(tc.get("index"), {"id": None, "name": "", "args": ""})
            c["id"] = tc.get("id") or c["id"]
            c["name"] += tc["function"].get("name") or ""
            c["args"] += tc["function"].get("arguments") or ""
if calls != {0: {"id": "call_c1", "name": "get_weather", "args": "{\"city\":\"Paris\"}"}}:
    print("assembled calls %s" % calls)
if fin != "tool_calls":
    print("finish_reason %r" % fin)
')" "$(jget '[e["data"][:200] for e in j["events"]]' "$T/ct1.json" | head -c 3000)"
	body='{"stream":true,"messages":[{"role":"user","content":"weather in Paris? (ct stream)"},{"role":"assistant","content":"Checking. ","tool_calls":[{"id":"call_c1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},{"role":"tool","tool_call_id":"call_c1","content":"sunny 21C"}],"tools":['"$CT_WEATHER"']}'
	chat_stream "$base" "$key" "$body" "$T/ct2.json"
	is "$(stream_text "$T/ct2.json")" "It is sunny in Paris." "$where: chat stream: the resumed turn streams the final answer"
	up_requests "$T/up.json"
	check "$where: chat stream: the resumed call carries the stored turn with the server's result, then the client's" \
		"$(pycheck "$T/up.json" "$CT_RESUMED")" "$(head -c 3000 "$T/up.json")"

	# ---- responses -------------------------------------------------------------
	for stream in false true; do
		up_script "[$CT_SCRIPT_CALLS,$CT_SCRIPT_ANSWER]"
		body='{"stream":'$stream',"input":"weather in Paris? (ct resp '$stream')","tools":['"$CT_WEATHER_R"']}'
		ct_response "$base" "$key" "$body" "$stream" "$T/cr"
		if [ "$stream" = true ]; then
			check "$where: responses stream: function_call events: output_item.added, function_call_arguments.delta/.done, output_item.done (status completed), in sequence" "$(pycheck "$T/cr.json" '
evs = [json.loads(e["data"]) for e in j.get("events") or []]
fc = [e for e in evs if (e.get("item") or {}).get("type") == "function_call" or e.get("type", "").startswith("response.function_call")]
types = [e["type"] for e in fc]
want = ["response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.output_item.done"]
if types != want:
    print("function_call events %s" % types)
else:
    if fc[1].get("delta") != "{\"city\":\"Paris\"}" or fc[2].get("name") != "get_weather" or fc[1].get("item_id") != fc[0]["item"]["id"]:
        print("arguments events %s %s" % (fc[1], fc[2]))
    if fc[3]["item"].get("status") != "completed" or fc[3]["item"].get("call_id") != "call_c1":
        print("done item %s" % fc[3]["item"])
seq = [e.get("sequence_number") for e in evs]
if seq != list(range(len(evs))):
    print("sequence numbers %s" % seq)
')" "$(jget '[e["data"][:160] for e in j["events"]]' "$T/cr.json" | head -c 3000)"
		fi
		check "$where: responses (stream $stream): status completed with a function_call output item (status completed) for the client's call only" "$(pycheck "$T/cr.obj" '
if j.get("status") != "completed":
    print("status %r" % j.get("status"))
fc = [i for i in j.get("output") or [] if i.get("type") == "function_call"]
if len(fc) != 1 or fc[0].get("call_id") != "call_c1" or fc[0].get("name") != "get_weather" or fc[0].get("arguments") != "{\"city\":\"Paris\"}" or fc[0].get("status") != "completed" or not str(fc[0].get("id", "")).startswith("fc_"):
    print("function_call items %s" % fc)
if [t.get("name") for t in j.get("tools") or []] != ["get_weather"]:
    print("tools echo %s" % j.get("tools"))
')" "$(head -c 2000 "$T/cr.obj")"
		rid=$(jget 'j.get("id") or ""' "$T/cr.obj")
		body='{"stream":'$stream',"previous_response_id":"'$rid'","input":[{"type":"function_call_output","call_id":"call_c1","output":"sunny 21C"}],"tools":['"$CT_WEATHER_R"']}'
		ct_response "$base" "$key" "$body" "$stream" "$T/cr2"
		is "$(jget '[j.get("status"), j.get("output_text"), j.get("previous_response_id")]' "$T/cr2.obj")" \
			'["completed", "It is sunny in Paris.", "'"$rid"'"]' \
			"$where: responses (stream $stream): function_call_output chained by previous_response_id resumes the turn to the final answer"
		up_requests "$T/up.json"
		check "$where: responses (stream $stream): the resumed call carries the server's result, then the client's" \
			"$(pycheck "$T/up.json" "$CT_RESUMED")" "$(head -c 3000 "$T/up.json")"
	done

	if [ -n "$home" ]; then
		is "$(sqlite3 "$home/state.db" "SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM messages WHERE tool_call_id IN ('call_s1', 'call_c1') GROUP BY session_id, tool_call_id)")" 1 \
			"$where: each session stored each tool result once (the server's is not saved again on resuming)"
	fi

	# ---- the same round trip as background responses (the runner's worker) --
	up_script "[$CT_SCRIPT_CALLS,$CT_SCRIPT_ANSWER]"
	CHAT_PATH=/v1/responses chat_post "$base" "$key" '{"background":true,"input":"weather in Paris? (ct bg)","tools":['"$CT_WEATHER_R"']}'
	rid=$(jget 'j.get("id") or ""')
	ct_bg_wait "$base" "$key" "$rid" "$T/cb.obj"
	check "$where: background response: completed with the client's function_call item only" "$(pycheck "$T/cb.obj" '
if j.get("status") != "completed":
    print("status %r %s" % (j.get("status"), j.get("error")))
fc = [i for i in j.get("output") or [] if i.get("type") == "function_call"]
if len(fc) != 1 or fc[0].get("call_id") != "call_c1" or fc[0].get("arguments") != "{\"city\":\"Paris\"}":
    print("function_call items %s" % fc)
')" "$(head -c 2000 "$T/cb.obj")"
	CHAT_PATH=/v1/responses chat_post "$base" "$key" '{"background":true,"previous_response_id":"'"$rid"'","input":[{"type":"function_call_output","call_id":"call_c1","output":"sunny 21C"}],"tools":['"$CT_WEATHER_R"']}'
	rid2=$(jget 'j.get("id") or ""')
	ct_bg_wait "$base" "$key" "$rid2" "$T/cb2.obj"
	is "$(jget '[j.get("status"), j.get("output_text")]' "$T/cb2.obj")" '["completed", "It is sunny in Paris."]' \
		"$where: background: function_call_output chained by previous_response_id resumes to the final answer"
	up_requests "$T/up.json"
	check "$where: background: the resumed call carries the server's result, then the client's" \
		"$(pycheck "$T/up.json" "$CT_RESUMED")" "$(head -c 3000 "$T/up.json")"
	# a background response's toolset narrowing reaches the worker too
	up_script '[{"reply":"ok"}]'
	CHAT_PATH=/v1/responses chat_post "$base" "$key" '{"background":true,"input":"ct bg narrowed","hermes":{"toolsets":"memory"}}'
	ct_bg_wait "$base" "$key" "$(jget 'j.get("id") or ""')" "$T/cb3.obj"
	like "$(up_tool_names 0)" '^memory choice=null$' "$where: background: hermes.toolsets narrows what the worker offers"

	# ---- results that answer no call, a conversation the server never saw ----
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"ct bad id"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_x1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},{"role":"tool","tool_call_id":"call_zz","content":"?"}],"tools":['"$CT_WEATHER"']}'
	check "$where: chat: a tool message that answers no call of the assistant message: 400 param messages[2].tool_call_id" \
		"$(ct_env_problem 400 invalid_value 'messages[2].tool_call_id')"
	CHAT_PATH=/v1/responses chat_post "$base" "$key" '{"previous_response_id":"'"$rid"'","input":[{"type":"function_call_output","call_id":"call_zz","output":"?"}]}'
	check "$where: responses: a function_call_output that answers no call: 400 param input" \
		"$(ct_env_problem 400 invalid_value input)"
	up_script '[{"match":"rainy 9C","reply":"Rainy in Oslo."}]'
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"weather in Oslo? (ct sent)"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_o1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},{"role":"tool","tool_call_id":"call_o1","content":"rainy 9C"}],"tools":['"$CT_WEATHER"']}' \
		-H "X-Hermes-Session-Id: ct-unknown-$$"
	up_requests "$T/up.json"
	is "$RESP_STATUS $(jget 'j["choices"][0]["message"]["content"]') $(pycheck "$T/up.json" 'print([m["role"] for m in j[0]["body"]["messages"] if m["role"] != "system"])')" \
		"200 Rainy in Oslo. ['user', 'assistant', 'tool']" \
		"$where: results for a turn the server has no record of: the conversation is used as sent"

	# ---- tool_choice -----------------------------------------------------------
	up_script '[{"reply":"no tools then"}]'
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"ct none"}],"tools":['"$CT_WEATHER"'],"tool_choice":"none"}'
	like "$RESP_STATUS $(up_tool_names 0)" '^200 (execute_code,)?memory,patch,read_file,search_files,skill_view,skills_list,(terminal,)?todo,write_file choice=null$' \
		"$where: tool_choice none: the client's functions are not offered (the server's still are), no tool_choice upstream"
	up_script "[$CT_SCRIPT_CALLS]"
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"ct required"}],"tools":['"$CT_WEATHER"'],"tool_choice":"required"}'
	like "$RESP_STATUS $(jget 'j["choices"][0]["finish_reason"]') $(up_tool_names 0)" '^200 tool_calls .*get_weather.* choice="required"$' \
		"$where: tool_choice required goes upstream with the client's function"
	up_script "[$CT_SCRIPT_CALLS]"
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"ct named"}],"tools":['"$CT_WEATHER"'],"tool_choice":{"type":"function","function":{"name":"get_weather"}}}'
	like "$RESP_STATUS $(up_tool_names 0)" '^200 .*get_weather.* choice=\{"type":"function","function":\{"name":"get_weather"\}\}$' \
		"$where: a named tool_choice goes upstream as OpenAI's named form"
	up_script "[$CT_SCRIPT_CALLS]"
	CHAT_PATH=/v1/responses chat_post "$base" "$key" '{"input":"ct named resp","tools":['"$CT_WEATHER_R"'],"tool_choice":{"type":"function","name":"get_weather"}}'
	like "$RESP_STATUS $(jget 'j["tool_choice"]') $(up_tool_names 0)" "^200 \\{\"type\": \"function\", \"name\": \"get_weather\"\\} .* choice=\{\"type\":\"function\",\"function\":\{\"name\":\"get_weather\"\}\}$" \
		"$where: responses: a named tool_choice (Responses form) is echoed and goes upstream in chat form"
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"ct bad"}],"tools":['"$CT_WEATHER"'],"tool_choice":{"type":"function","function":{"name":"get_time"}}}'
	check "$where: a named tool_choice that is not in tools: 400 param tool_choice" "$(ct_env_problem 400 invalid_value tool_choice)"
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"ct bad"}],"tool_choice":"required"}'
	check "$where: tool_choice required without tools: 400 param tool_choice" "$(ct_env_problem 400 invalid_value tool_choice)"
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"ct bad"}],"tools":['"$CT_WEATHER"'],"tool_choice":"sometimes"}'
	check "$where: an unknown tool_choice: 400 param tool_choice" "$(ct_env_problem 400 invalid_value tool_choice)"

	# ---- tool definitions ----------------------------------------------------
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"ct bad"}],"tools":[{"type":"retrieval"}]}'
	check "$where: a tool of another type than function: 400 param tools[0].type" "$(ct_env_problem 400 invalid_value 'tools[0].type')"
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"ct bad"}],"tools":[{"type":"function","function":{"description":"x"}}]}'
	check "$where: a function without a name: 400 param tools[0].function.name" "$(ct_env_problem 400 missing_required_parameter 'tools[0].function.name')"
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"ct bad"}],"tools":[{"type":"function","function":{"name":"get weather!"}}]}'
	check "$where: a function name with spaces: 400 param tools[0].function.name" "$(ct_env_problem 400 invalid_value 'tools[0].function.name')"
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"ct bad"}],"tools":[{"type":"function","function":{"name":"f","parameters":"x"}}]}'
	check "$where: parameters that are not an object: 400 param tools[0].function.parameters" "$(ct_env_problem 400 invalid_type 'tools[0].function.parameters')"
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"ct bad"}],"tools":['"$CT_WEATHER,$CT_WEATHER"']}'
	check "$where: the same name twice: 400 param tools[1].function.name" "$(ct_env_problem 400 duplicate_tool_name 'tools[1].function.name')"
	CHAT_PATH=/v1/responses chat_post "$base" "$key" '{"input":"ct bad","tools":[{"type":"web_search_preview"}]}'
	check "$where: responses: a built-in tool type: 400 param tools[0].type" "$(ct_env_problem 400 invalid_value 'tools[0].type')"

	# ---- name clash ----------------------------------------------------------
	up_script '[]'
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"ct clash"}],"tools":[{"type":"function","function":{"name":"read_file","parameters":{"type":"object"}}}]}'
	check "$where: a client function named like a server tool: 400 tool_name_conflict" "$(ct_env_problem 400 tool_name_conflict 'tools[0].function.name')"
	like "$(jget 'j["error"]["message"]')" "client tool 'read_file'.*server tool 'read_file' \(toolset file\)" \
		"$where: name clash: the message names both tools"
	is "$(up_wait_requests 0)" 0 "$where: name clash: nothing went upstream"
	up_script '[{"reply":"fine"}]'
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"ct clash narrowed"}],"tools":[{"type":"function","function":{"name":"read_file"}}]}' \
		-H 'X-Hermes-Toolsets: memory'
	is "$RESP_STATUS $(up_tool_names 0)" "200 memory,read_file choice=null" \
		"$where: with the file toolset left out (X-Hermes-Toolsets: memory) the client's read_file is no clash"

	# ---- toolset narrowing ---------------------------------------------------
	up_script '[{"reply":"fine"}]'
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"ct narrow"}]}' -H 'X-Hermes-Toolsets: todo, memory'
	is "$RESP_STATUS $(up_tool_names 0)" "200 memory,todo choice=null" \
		"$where: X-Hermes-Toolsets: todo, memory: the upstream sees only those toolsets' tools"
	up_script '[{"reply":"fine"}]'
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"ct widen"}]}' -H 'X-Hermes-Toolsets: web,files'
	is "$RESP_STATUS $(up_tool_names 0)" "200 patch,read_file,search_files,write_file choice=null" \
		"$where: X-Hermes-Toolsets: web,files never widens: web (not configured) stays off, files is the file toolset"
	up_script '[{"reply":"fine"}]'
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"ct none hdr"}],"tools":['"$CT_WEATHER"']}' -H 'X-Hermes-Toolsets: none'
	is "$RESP_STATUS $(up_tool_names 0)" "200 get_weather choice=null" \
		"$where: X-Hermes-Toolsets: none: only the client's functions are offered"
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"ct bogus"}]}' -H 'X-Hermes-Toolsets: memory,bogus'
	check "$where: an unknown toolset in X-Hermes-Toolsets: 400 param X-Hermes-Toolsets" "$(ct_env_problem 400 invalid_value X-Hermes-Toolsets)"
	up_script '[{"reply":"fine"}]'
	CHAT_PATH=/v1/responses chat_post "$base" "$key" '{"input":"ct body","hermes":{"toolsets":["memory","todo"]}}' -H 'X-Hermes-Toolsets: memory,file'
	is "$RESP_STATUS $(up_tool_names 0)" "200 memory choice=null" \
		"$where: responses: hermes.toolsets narrows within X-Hermes-Toolsets (memory,file ∩ memory,todo)"
	CHAT_PATH=/v1/responses chat_post "$base" "$key" '{"input":"ct body","hermes":{"toolsets":7}}'
	check "$where: responses: hermes.toolsets of the wrong type: 400 param hermes.toolsets" "$(ct_env_problem 400 invalid_type hermes.toolsets)"

	# ---- runs carry the narrowing to the runner ----------------------------------
	up_script '[{"reply":"run done"}]'
	RB=$base RK=$key rpost '{"input":"ct run","hermes":{"toolsets":"todo,memory"}}' -H 'X-Hermes-Toolsets: todo'
	is "$RESP_STATUS" 202 "$where: runs: a run with a toolset narrowing is accepted"
	RB=$base RK=$key rwait "$RUN_ID" 'completed|failed' 60 > /dev/null
	is "$(up_tool_names 0)" "todo choice=null" "$(printf '%s' "$where: runs: the runner's model call offers only the narrowed toolsets (todo)")"

	# ---- capabilities ----------------------------------------------------------
	http GET "$base/v1/capabilities" -H "Authorization: Bearer $key"
	is "$(jget '[j["features"].get(k) for k in ("client_tools", "client_tools_responses", "toolsets_header", "server_tools")]')" \
		'[true, true, "X-Hermes-Toolsets", true]' "$where: /v1/capabilities advertises client tools and the toolsets header"
}

run_server_tools_off_cases() {
	local base=${1%/} key=$2 where=$3

	up_script '[{"reply":"proxied"}]'
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"ct off"}],"tools":['"$CT_WEATHER"',{"type":"function","function":{"name":"read_file"}}]}' \
		-H 'X-Hermes-Toolsets: memory'
	is "$RESP_STATUS $(up_tool_names 0)" "200 get_weather,read_file choice=null" \
		"$where: api.server_tools off: only the client's functions go upstream (no clash with server tools; the header cannot turn them on)"
	up_script '[{"reply":"proxied"}]'
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"ct off plain"}]}'
	is "$RESP_STATUS $(up_tool_names 0) $(jget 'j["choices"][0]["message"]["content"]')" "200 - choice=null proxied" \
		"$where: api.server_tools off without client tools: no tools at all go upstream"
	http GET "$base/v1/capabilities" -H "Authorization: Bearer $key"
	is "$(jget 'j["features"]["server_tools"]')" false "$where: /v1/capabilities says server_tools false"
}
