#!/bin/bash
# tests/integration/t0710-tools-files.sh: read_file, write_file, patch and
# search_files through the agent loop (`hermesctl chat` against the scripted
# upstream), in a temporary workspace (HERMES_WORKSPACE). The upstream asks
# for each call; the test checks the effect on disk and the tool result the
# upstream receives in the next request, including the refusals for ../x,
# /etc/passwd and symlinks leading out of the workspace.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/tap.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/upstream.sh"
start_upstream
export HERMES_HOME="$TAP_TMP/home"
mkdir -p "$HERMES_HOME" "$TAP_TMP/ws" "$TAP_TMP/outside" && chmod 700 "$HERMES_HOME"
export HERMES_WORKSPACE="$TAP_TMP/ws"
export OPENAI_BASE_URL="$UPSTREAM_URL" OPENAI_API_KEY=k HERMES_MODEL=test-model
unset API_SERVER_TOOLSETS
WS=$(cd "$HERMES_WORKSPACE" && pwd -P)

# ---- write_file then read_file: the content comes back -----------------------
script_upstream "[$(call w1 write_file '{"path":"notes/hello.txt","content":"alpha\nbeta\n"}'),
 $(call r1 read_file '{"path":"notes/hello.txt"}'),
 {\"reply\":\"done\"}]"
chat "write and read a file"
tap_is $? 0 "a turn with write_file and read_file completes"
tap_is "$(cat "$TAP_TMP/out")" "done" "final answer printed"
tap_is "$(cat "$WS/notes/hello.txt")" "$(printf 'alpha\nbeta')" "write_file created the file (and its directory)"
tap_is "$(stat -c %a "$WS/notes/hello.txt")" "$(printf '%o' $((0644 & ~8#$(umask))))" \
	"the new file has mode 0644 under the umask"
tap_is "$(tool_result 1 w1)" "Wrote 11 bytes to notes/hello.txt (new file)." \
	"the upstream receives write_file's report"
tap_is "$(tool_result 2 r1)" "$(printf '     1|alpha\n     2|beta')" \
	"the upstream receives the file's lines from read_file"
tap_is "$(ls -A "$WS/notes")" "hello.txt" "no temporary file is left behind"
tap_is "$(upstream_requests | jq_py "sorted(t['function']['name'] for t in d[0]['body']['tools'] if t['function']['name'] in ('read_file','write_file','patch','search_files') and t['function']['parameters']['required'])")" \
	"['patch', 'read_file', 'search_files', 'write_file']" "the four file tools are offered with their schemas"

# ---- patch -----------------------------------------------------------------------
script_upstream "[$(call p1 patch '{"path":"notes/hello.txt","old_string":"beta","new_string":"gamma"}'),
 $(call p2 patch '{"path":"notes/hello.txt","old_string":"a","new_string":"A"}'),
 $(call p3 patch '{"path":"notes/hello.txt","old_string":"zeta","new_string":"Z"}'),
 {\"reply\":\"patched\"}]"
chat "patch it"
tap_is $? 0 "a turn with three patch calls completes"
tap_is "$(cat "$WS/notes/hello.txt")" "$(printf 'alpha\ngamma')" "patch replaced the unique match"
tap_is "$(tool_result 1 p1)" "Patched notes/hello.txt: replaced 1 occurrence (first at line 2)." \
	"the upstream receives patch's report"
tap_like "$(tool_result 2 p2)" "^Error: old_string occurs 4 times in notes/hello.txt .*replace_all=true" \
	"a match that is not unique is an error telling the model what to do"
tap_like "$(tool_result 3 p3)" "^Error: old_string was not found in notes/hello.txt; read the file again" \
	"no match is an error telling the model what to do"

# ---- search_files ------------------------------------------------------------------
mkdir -p "$WS/src" "$WS/.git"
printf 'int main(void)\n{\n\treturn gamma();\n}\n' >"$WS/src/main.c"
printf 'gamma in git\n' >"$WS/.git/HEAD"
script_upstream "[$(call s1 search_files '{"pattern":"gam+a\\(","glob":"*.c","regex":true}'),
 $(call s2 search_files '{"pattern":"gamma"}'),
 $(call s3 search_files '{"pattern":"gamma()"}'),
 $(call s4 search_files '{"pattern":"((a{1,80}){1,80}){1,80}","regex":true}'),
 {\"reply\":\"found\"}]"
chat "search"
tap_is $? 0 "a turn with search_files completes"
tap_is "$(tool_result 1 s1)" "$(printf 'src/main.c:3: \treturn gamma();\n[1 match in 1 files searched]')" \
	"search_files finds the line (regex, glob) as file:line: text"
tap_is "$(tool_result 2 s2)" "$(printf 'notes/hello.txt:2: gamma\nsrc/main.c:3: \treturn gamma();\n[2 matches in 2 files searched]')" \
	"a plain search walks the workspace in order and skips .git"
tap_is "$(tool_result 3 s3)" "$(printf 'src/main.c:3: \treturn gamma();\n[1 match in 2 files searched]')" \
	"without regex, '()' is plain text"
tap_like "$(tool_result 4 s4)" "^Error: the regular expression is refused at offset [0-9]+: .*regex: false" \
	"a regex too large to compile is an error result the model can read"

# ---- refusals: .., an absolute path, symlinks out ------------------------------------
printf 'SECRET-CONTENT\n' >"$TAP_TMP/outside/secret.txt"
ln -s "$TAP_TMP/outside" "$WS/link"
ln -s "$TAP_TMP/outside/secret.txt" "$WS/pw"
script_upstream "[{\"tool_calls\":[
  {\"id\":\"e1\",\"name\":\"write_file\",\"arguments\":{\"path\":\"../x\",\"content\":\"pwned\"}},
  {\"id\":\"e2\",\"name\":\"read_file\",\"arguments\":{\"path\":\"/etc/passwd\"}},
  {\"id\":\"e3\",\"name\":\"read_file\",\"arguments\":{\"path\":\"link/secret.txt\"}},
  {\"id\":\"e4\",\"name\":\"write_file\",\"arguments\":{\"path\":\"link/new.txt\",\"content\":\"pwned\"}},
  {\"id\":\"e5\",\"name\":\"read_file\",\"arguments\":{\"path\":\"pw\"}},
  {\"id\":\"e6\",\"name\":\"patch\",\"arguments\":{\"path\":\"pw\",\"old_string\":\"SECRET\",\"new_string\":\"x\"}},
  {\"id\":\"e7\",\"name\":\"search_files\",\"arguments\":{\"pattern\":\"SECRET\",\"path\":\"link\"}},
  {\"id\":\"e8\",\"name\":\"search_files\",\"arguments\":{\"pattern\":\"SECRET\"}},
  {\"id\":\"e9\",\"name\":\"write_file\",\"arguments\":{\"path\":\"$TAP_TMP/outside/abs.txt\",\"content\":\"pwned\"}}]},
 {\"reply\":\"refused\"}]"
chat "try to escape"
tap_is $? 0 "a turn full of refused calls completes"
tap_is "$(tool_result 1 e1)" "Error: path '../x' is outside the workspace $WS; use a path inside it" \
	"../x: the refusal reaches the upstream as the tool result"
tap_ok "$([ ! -e "$TAP_TMP/x" ]; echo $?)" "../x: nothing was created outside"
tap_is "$(tool_result 1 e2)" "Error: path '/etc/passwd' is outside the workspace $WS; use a path inside it" \
	"/etc/passwd: refused"
tap_is "$(tool_result 1 e3)" \
	"Error: path 'link/secret.txt' is outside the workspace $WS (a symlink on the way leads out of it); use a path inside it" \
	"a symlink to a directory outside: refused, naming the symlink"
tap_like "$(tool_result 1 e4)" "^Error: path 'link/new.txt' is outside the workspace" \
	"writing through it: refused"
tap_ok "$([ ! -e "$TAP_TMP/outside/new.txt" ]; echo $?)" "... and nothing was created outside"
tap_like "$(tool_result 1 e5)" "^Error: path 'pw' is outside the workspace" "a symlink to a file outside: refused"
tap_like "$(tool_result 1 e6)" "^Error: path 'pw' is outside the workspace" "patching it: refused"
tap_is "$(cat "$TAP_TMP/outside/secret.txt")" "SECRET-CONTENT" "... and the file outside is unchanged"
tap_like "$(tool_result 1 e7)" "^Error: path 'link' is outside the workspace" "searching through it: refused"
tap_like "$(tool_result 1 e8)" "^No matches for 'SECRET' in \\." "a workspace search does not follow symlinks out"
tap_like "$(tool_result 1 e9)" "^Error: path '$TAP_TMP/outside/abs.txt' is outside the workspace" \
	"an absolute path outside: refused"
tap_ok "$([ ! -e "$TAP_TMP/outside/abs.txt" ]; echo $?)" "... and not created"
req=$(upstream_requests)
tap_ok "$(printf '%s' "$req" | grep -q 'SECRET-CONTENT\|root:x:0:0'; [ $? -ne 0 ]; echo $?)" \
	"no content from outside the workspace reached the upstream"
tap_is "$(ls -A "$TAP_TMP/outside")" "secret.txt" "the directory outside holds only what it held"
tap_end
