#!/bin/bash
# tests/integration/t0740-tools-memory-todo.sh: the memory tool (add,
# replace, remove, read; isolation between session keys; the snapshot in
# the system prompt) and the todo tool, through the agent loop.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/tap.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/upstream.sh"
start_upstream
agent_env
last_tool_result() { # request index → content of the last message it carried
	upstream_requests | jq_py "d[$1]['body']['messages'][-1]['content']"
}

script_upstream "[$(call m1 memory '{"action":"add","content":"alice likes tea"}'),
 $(call m2 memory '{"action":"add","content":"alice has a cat"}'),
 $(call m3 memory '{"action":"replace","old_text":"tea","content":"alice likes coffee"}'),
 $(call m4 memory '{"action":"remove","old_text":"cat"}'),
 $(call m5 memory '{"action":"replace","old_text":"nothing-like-this","content":"x"}'),
 $(call m6 memory '{"action":"read"}'),
 {\"reply\":\"done\"}]"
chat -k alice "remember things"
tap_is $? 0 "memory turn completes"
tap_is "$(last_tool_result 3)" "Memory entry replaced." "replace by a unique piece"
tap_is "$(last_tool_result 4)" "Memory entry removed." "remove"
tap_like "$(last_tool_result 5)" "^Error: no memory entry contains" "replace of a missing entry is an error the model can read"
tap_like "$(last_tool_result 6)" "^- alice likes coffee$" "read shows the replaced entry"
tap_ok "$(last_tool_result 6 | grep -q 'cat'; echo $((! $?)))" "the removed entry is gone"

script_upstream "[$(call b1 memory '{"action":"read"}'), {\"reply\":\"ok\"}]"
chat -k bob "what do you know"
tap_is "$(last_tool_result 1)" "Memory is empty." "another session key sees none of alice's memory"
tap_ok "$(upstream_requests | jq_py 'd[0]["body"]["messages"][0]["content"]' | grep -q coffee; echo $((! $?)))" \
	"bob's system prompt has no alice memory"
script_upstream '[{"reply":"ok"}]'
chat -k alice "hello again"
tap_like "$(upstream_requests | jq_py 'd[0]["body"]["messages"][0]["content"]')" "alice likes coffee" \
	"alice's memory snapshot is in her system prompt"

# ---- todo ------------------------------------------------------------------
script_upstream "[$(call t1 todo '{"todos":[{"id":"1","content":"write tests","status":"in_progress"},{"id":"2","content":"ship","status":"pending"}]}'),
 $(call t2 todo '{"todos":[{"id":"1","content":"write tests","status":"completed"}],"merge":true}'),
 $(call t3 todo '{}'),
 $(call t4 todo '{"todos":[{"content":"bad","status":"someday"}]}'),
 {\"reply\":\"ok\"}]"
chat "plan the work"
tap_like "$(last_tool_result 1)" '\[>\] 1\. write tests' "todo list written"
tap_like "$(last_tool_result 3)" '^\[x\] 1\. write tests$' "merge updates an item by id"
tap_like "$(last_tool_result 3)" '^\[ \] 2\. ship$' "and keeps the rest"
tap_like "$(last_tool_result 4)" "^Error: item 1 needs" "an invalid status is refused with a reason"
sid=$(sed -n 's/^\[session \([^:]*\):.*/\1/p' "$TAP_TMP/err")
script_upstream "[$(call t5 todo '{}'), {\"reply\":\"ok\"}]"
chat "new session"
tap_is "$(last_tool_result 1)" "The task list is empty." "the task list belongs to its session"
script_upstream "[$(call t6 todo '{}'), {\"reply\":\"ok\"}]"
chat -s "$sid" "same session"
tap_like "$(last_tool_result 1)" 'write tests' "and is kept with it"
tap_end
