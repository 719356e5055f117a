#!/bin/bash
# tests/integration/t0750-discovery.sh: GET /v1/skills and GET /v1/toolsets
# through the real binary (CGI), and their flags in /v1/capabilities.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/tap.sh"
tap_tmpdir
key=0123456789abcdef0123456789abcdef
home="$TAP_TMP/home"
mkdir -p "$home/skills/github/pr-flow" "$home/skills/notes" "$home/skills/broken/bad"
chmod 700 "$home"
printf 'API_SERVER_KEY=%s\n' "$key" >"$home/.env"
printf -- '---\nname: pr-flow\ndescription: Open, review and merge pull requests.\n---\n# PR flow\n' \
	>"$home/skills/github/pr-flow/SKILL.md"
printf -- '---\nname: scratchpad\n---\n# Scratchpad\n\nKeep running notes in a file.\n' \
	>"$home/skills/notes/SKILL.md"
printf -- '---\nname: [unclosed\n---\nbody\n' >"$home/skills/broken/bad/SKILL.md"
get() { # path [env...] → body on stdout, stderr in $TAP_TMP/err
	local path=$1
	shift
	env -i HERMES_HOME="$home" HERMES_ALLOW_ROOT="${HERMES_ALLOW_ROOT:-}" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO="$path" \
		SERVER_ADDR=127.0.0.1 HTTP_AUTHORIZATION="Bearer $key" "$@" \
		ASAN_OPTIONS="$ASAN_OPTIONS" "$HERMES_FCGI" </dev/null 2>"$TAP_TMP/err" | sed '1,/^\r$/d'
}
py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

body=$(get /v1/skills)
tap_is "$(printf '%s' "$body" | py 'd["object"]')" list "skills: a list object"
tap_is "$(printf '%s' "$body" | py '[(s["name"], s["category"]) for s in d["data"]]')" \
	"[('scratchpad', None), ('pr-flow', 'github')]" "two valid skills, sorted by category then name"
tap_is "$(printf '%s' "$body" | py 'd["data"][0]["description"]')" "Keep running notes in a file." \
	"description falls back to the first body line"
tap_like "$(cat "$TAP_TMP/err")" 'WARNING.*broken/bad/SKILL.md' "the broken SKILL.md is skipped with a warning naming it"

body=$(get /v1/toolsets)
tap_is "$(printf '%s' "$body" | py 'd["object"], d["platform"]')" "list api_server" "toolsets: list for api_server"
tap_is "$(printf '%s' "$body" | py '[(t["name"], t["enabled"]) for t in d["data"]]')" \
	"[('web', False), ('terminal', True), ('file', True), ('code_execution', True), ('skills', True), ('todo', True), ('memory', True)]" \
	"everything but web enabled by default"
tap_is "$(printf '%s' "$body" | py '[t["tools"] for t in d["data"] if t["name"] == "file"][0]')" \
	"['patch', 'read_file', 'search_files', 'write_file']" "tools each toolset expands to, sorted"
body=$(get /v1/toolsets API_SERVER_TOOLSETS=web,memory)
tap_is "$(printf '%s' "$body" | py '[t["name"] for t in d["data"] if t["enabled"]]')" \
	"['web', 'memory']" "API_SERVER_TOOLSETS decides which are enabled"
out=$(env -i HERMES_HOME="$home" HERMES_ALLOW_ROOT="${HERMES_ALLOW_ROOT:-}" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/v1/toolsets \
	SERVER_ADDR=127.0.0.1 HTTP_AUTHORIZATION="Bearer $key" API_SERVER_TOOLSETS=web,nosuch \
	ASAN_OPTIONS="$ASAN_OPTIONS" "$HERMES_FCGI" </dev/null 2>/dev/null)
tap_like "$out" '^Status: 500' "an unknown toolset is a config error"
tap_like "$out" "unknown toolset 'nosuch'" "naming it"

body=$(get /v1/capabilities)
tap_is "$(printf '%s' "$body" | py 'd["endpoints"]["skills"], d["endpoints"]["toolsets"]')" \
	"{'method': 'GET', 'path': '/v1/skills'} {'method': 'GET', 'path': '/v1/toolsets'}" \
	"capabilities advertise both endpoints"
tap_is "$(printf '%s' "$body" | py 'd["features"]["skills_api"]')" True "skills_api is true"
tap_end
