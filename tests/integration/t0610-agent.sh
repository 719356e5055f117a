#!/bin/bash
# tests/integration/t0610-agent.sh: the agent loop end to end through
# `hermesctl chat` against the scripted upstream: two tool rounds with the
# real memory tool, max_turns, session continuation, compression rotation.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/tap.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/upstream.sh"
start_upstream
agent_env

# ---- two tool rounds ---------------------------------------------------------
script_upstream '[
 {"tool_calls":[{"id":"call_1","name":"memory","arguments":"{\"action\":\"add\",\"content\":\"likes green tea\"}"}],"chunk_size":5},
 {"tool_calls":[{"id":"call_2","name":"memory","arguments":"{\"action\":\"read\"}"},
                {"id":"call_3","name":"nosuchtool","arguments":"{}"}]},
 {"reply":"Noted: green tea."}]'
chat "Remember that I like green tea"
tap_is $? 0 "a turn with two tool rounds completes"
tap_is "$(cat "$TAP_TMP/out")" "Noted: green tea." "final answer printed"
tap_like "$(cat "$TAP_TMP/err")" '\[tool memory \{"action":"add"' "tool start shown with an argument preview"
tap_like "$(cat "$TAP_TMP/err")" 'completed, 3 model calls' "three upstream calls"
req=$(upstream_requests)
tap_is "$(printf '%s' "$req" | jq_py 'd[1]["body"]["messages"][-1]["tool_call_id"], d[1]["body"]["messages"][-1]["content"]')" \
	"call_1 Saved to memory." "round 1: the tool result goes back with its tool_call_id"
tap_is "$(printf '%s' "$req" | jq_py 'd[1]["body"]["messages"][-2]["tool_calls"][0]["function"]["arguments"]')" \
	'{"action":"add","content":"likes green tea"}' "arguments split across chunks arrive whole"
tap_like "$(printf '%s' "$req" | jq_py 'd[2]["body"]["messages"][-2]["content"]')" 'likes green tea' \
	"round 2: the read result holds what round 1 stored"
tap_like "$(printf '%s' "$req" | jq_py 'd[2]["body"]["messages"][-1]["content"]')" \
	"^Error: tool 'nosuchtool' is not available" "an unknown tool is an error result, not a crash"
sid=$(session_of)
tap_like "$sid" '^[0-9]{8}_[0-9]{6}_[0-9a-f]{6}$' "a new session id"
show=$("$HERMESCTL" sessions show "$sid")
tap_like "$show" '"message_count":7|"message_count": 7' "user, 3 assistant and 3 tool messages persisted"
tap_like "$show" '"source": ?"cli"' "session source cli"
tap_like "$show" '"input_tokens": ?30' "token totals on the session row"

# ---- the memory snapshot reaches the next turn's system prompt ---------------
script_upstream '[{"reply":"You like green tea."}]'
chat "What do I like?"
tap_like "$(upstream_requests | jq_py 'd[0]["body"]["messages"][0]["content"]')" 'likes green tea' \
	"memory snapshot in the system prompt"

# ---- continuing a session ---------------------------------------------------
script_upstream '[{"reply":"second answer"}]'
chat -s "$sid" "And again?"
tap_is "$(session_of)" "$sid" "-s continues the same session"
tap_is "$(upstream_requests | jq_py '[m["role"] for m in d[0]["body"]["messages"]]')" \
	"['system', 'user', 'assistant', 'tool', 'assistant', 'tool', 'tool', 'assistant', 'user']" \
	"the stored history is sent (tool calls and results included)"
list=$("$HERMESCTL" sessions list)
tap_like "$list" "$sid" "sessions list shows it"

# ---- max_turns ---------------------------------------------------------------
loop='{"tool_calls":[{"id":"c","name":"memory","arguments":"{\"action\":\"read\"}"}]}'
script_upstream "[$loop,$loop,$loop,$loop,$loop]"
HERMES_MAX_ITERATIONS=3 chat "loop forever"
tap_is $? 2 "max_turns reached: partial result, not a hang"
tap_like "$(cat "$TAP_TMP/err")" 'Stopped after 3 model calls \(agent.max_turns\)' "says why"
tap_is "$(upstream_requests | jq_py 'len(d)')" 3 "exactly max_turns upstream calls"

# ---- compression rotation ------------------------------------------------------
script_upstream '[{"reply":"one one one one one one one one one one one one one one one one"},
 {"reply":"two two two two two two two two two two two two two two two two"},
 {"match":"Summarise the conversation","reply":"SUMMARY-OF-EARLIER"},
 {"reply":"three"}]'
export HERMES_HOME="$TAP_TMP/home2" HERMES_CONTEXT_LENGTH=256 HERMES_COMPRESSION_THRESHOLD=0.5
mkdir -p "$HERMES_HOME"
chat "first message with some words in it to take room in the context window"
s1=$(session_of)
chat -s "$s1" "second message with some more words in it to take room"
chat -s "$s1" "third message"
tap_is $? 0 "the turn after compression completes"
tap_like "$(cat "$TAP_TMP/err")" "context compressed: session $s1 continues as" "rotation reported"
s2=$(session_of)
tap_ok "$([ -n "$s2" ] && [ "$s2" != "$s1" ]; echo $?)" "the effective session id is the child's"
req=$(upstream_requests)
tap_like "$(printf '%s' "$req" | jq_py 'd[2]["body"]["messages"][0]["content"]')" 'Summarise the conversation' \
	"the middle was summarised by an upstream call"
tap_like "$(printf '%s' "$req" | jq_py 'd[3]["body"]["messages"][1]["content"]')" 'SUMMARY-OF-EARLIER' \
	"the next call carries the summary"
child=$("$HERMESCTL" sessions show "$s2")
tap_like "$child" "\"parent_session_id\": ?\"$s1\"" "the child points at its parent"
parent=$("$HERMESCTL" sessions show "$s1")
tap_like "$parent" '"end_reason": ?"compression"' "the parent is ended with reason compression"
tap_end
