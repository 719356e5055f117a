#!/bin/bash
# tests/integration/t0400-growth.sh: one responder (lighttpd, max-procs 1,
# the shipped template) serves 2,000 requests of mixed outcome; its open fds
# and resident memory, read from /proc, must not grow per request. Then it
# serves 5,000 chat turns against the scripted upstream (non-streaming,
# short replies, each turn its own session, so state.db grows): after a
# warm-up, the heap it reports in /health/detailed minus what SQLite holds
# stays flat, SQLite's own share stays under the page-cache bound, and the
# fds stay flat (issue 9, point 15).
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"

need "$HERMES_FCGI" "$PYTHON" curl lighttpd
CHAT_TURNS=${GROWTH_CHAT_TURNS:-5000}
CHAT_WARMUP=${GROWTH_CHAT_WARMUP:-1000}
HEAP_LIMIT=${GROWTH_HEAP_LIMIT:-32768}   # bytes heap - sqlite may drift
[ -d /proc/self/fd ] || skip_all "no /proc on this system"

# RSS bound. Under AddressSanitizer freed memory sits in a quarantine and the
# allocator keeps per-size-class caches: turn the quarantine off for this
# responder and allow more slack.
RSS_LIMIT_KB=256
if is_asan "$HERMES_FCGI"; then
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
	export ASAN_OPTIONS
	RSS_LIMIT_KB=512
	diag "AddressSanitizer build: quarantine off, RSS bound $RSS_LIMIT_KB KB"
fi

start_upstream up
home=$T/home
mk_home "$home"
{
	echo "OPENAI_BASE_URL=$UPSTREAM_URL"
	echo "OPENAI_API_KEY=sk-upstream-test"
	echo "HERMES_MODEL=test-model"
	echo "API_SERVER_TOOLSETS="
} >> "$home/.env"
start_lighttpd growth / "$home" 1
base=http://127.0.0.1:$LIGHTTPD_PORT

# The first request makes lighttpd's one responder answer; find it.
http GET "$base/health"
is "$RESP_STATUS" 200 "the responder answers"
kids=$(children_of "$LIGHTTPD_PID")
is "$(printf '%s\n' $kids | grep -c .)" 1 "lighttpd runs exactly one responder"
pid=$(printf '%s\n' $kids | head -n 1)
[ -n "$pid" ] || bail_out "no responder process found under lighttpd $LIGHTTPD_PID"

head -c 4096 /dev/zero | tr '\0' 'x' > "$T/4k.body"

# load N: about N requests on keep-alive connections: 40 % GET /v1/models
# and 10 % GET /health/detailed (200, the latter opens state.db), 20 % GET
# /v1/nope (404), 20 % wrong key (401), 10 % POST with a 4 KB body (405).
# Prints the status counts, e.g. "200:1000 401:400 ...".
load() {
	local n=$1 a b c d e
	a=$((n * 2 / 5)) e=$((n / 10)) b=$((n / 5)) c=$((n / 5))
	d=$((n - a - e - b - c))
	{
		curl -s --max-time 120 -w '%{http_code}\n' -H "Authorization: Bearer $TEST_KEY" \
			-o /dev/null "$base/v1/models?i=[1-$a]" \
			-o /dev/null "$base/health/detailed?i=[1-$e]" \
			-o /dev/null "$base/v1/nope?i=[1-$b]"
		curl -s --max-time 120 -w '%{http_code}\n' -H "Authorization: Bearer $WRONG_KEY" \
			-o /dev/null "$base/v1/models?i=[1-$c]"
		curl -s --max-time 120 -w '%{http_code}\n' -H "Authorization: Bearer $TEST_KEY" \
			-H 'Content-Type: application/json' --data-binary "@$T/4k.body" \
			-o /dev/null "$base/v1/models?i=[1-$d]"
	} | sort | uniq -c | awk '{ printf "%s%s:%s", sep, $2, $1; sep = " " } END { print "" }'
}

# idle_fds: the responder's open fds once it is idle. Right after an answer
# reaches the client the responder may still hold that request's FastCGI
# connection for a moment, so take the smallest of five looks 50 ms apart:
# a leaked fd stays in every look, a closing connection does not.
idle_fds() {
	local i n min=
	for i in 1 2 3 4 5; do
		n=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l | tr -d ' ')
		[ -z "$min" ] || [ "$n" -lt "$min" ] && min=$n
		sleep 0.05
	done
	echo "$min"
}

# sample: "fds rss_kb" of the responder.
sample() {
	local fds rss
	fds=$(idle_fds)
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
	echo "$fds ${rss:-0}"
}

is "$(load 200)" "200:100 401:40 404:40 405:20" "200 warm-up requests answered as expected"
read -r fd0 rss0 <<< "$(sample)"
diag "after warm-up: $fd0 fds, VmRSS $rss0 KB"

t0=$(date +%s)
is "$(load 2000)" "200:1000 401:400 404:400 405:200" "2,000 requests answered as expected"
read -r fd1 rss1 <<< "$(sample)"
diag "after 2,000 more: $fd1 fds, VmRSS $rss1 KB ($(($(date +%s) - t0)) s)"

is "$(children_of "$LIGHTTPD_PID" | tr -d '\n')" "$pid" "the same responder served them all (no restart)"
is "$fd1" "$fd0" "open fds do not grow ($fd0 -> $fd1)"
growth=$((rss1 - rss0))
if [ "$growth" -lt "$RSS_LIMIT_KB" ]; then
	pass "VmRSS grows less than $RSS_LIMIT_KB KB over 2,000 requests ($rss0 -> $rss1 KB)"
else
	fail "VmRSS grows less than $RSS_LIMIT_KB KB over 2,000 requests ($rss0 -> $rss1 KB)" \
		"grew by $growth KB"
fi

# ---- chat turns ------------------------------------------------------------

# chat FROM N: N non-streaming chat turns on keep-alive connections, the
# first user message of each unique (so each is its own session); the
# upstream answers every one with its default short reply. Prints the
# status counts.
chat() {
	local from=$1 n=$2 i
	for ((i = from; i < from + n; i++)); do
		[ "$i" -gt "$from" ] && printf 'next\n'
		printf 'url = "%s/v1/chat/completions"\n' "$base"
		printf 'header = "Authorization: Bearer %s"\n' "$TEST_KEY"
		printf 'header = "Content-Type: application/json"\n'
		printf 'data = "{\\"model\\":\\"hermes-agent\\",\\"messages\\":[{\\"role\\":\\"user\\",\\"content\\":\\"turn %d\\"}]}"\n' "$i"
		printf 'output = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nmax-time = 60\nsilent\n'
	done > "$T/chat.curl"
	curl -K "$T/chat.curl" | sort | uniq -c | awk '{ printf "%s%s:%s", sep, $2, $1; sep = " " } END { print "" }'
}

# mem: "fds heap_bytes sqlite_bytes" of the responder, from /health/detailed.
mem() {
	local fds
	http GET "$base/health/detailed" -H "Authorization: Bearer $TEST_KEY"
	fds=$(idle_fds)
	echo "$fds $(jget 'j["memory"]["heap_bytes"]') $(jget 'j["memory"]["sqlite_bytes"]') $(jget 'j["pid"]')"
}

http POST "$base/v1/chat/completions" -H "Authorization: Bearer $TEST_KEY" \
	-H 'Content-Type: application/json' \
	--data '{"model":"hermes-agent","messages":[{"role":"user","content":"first"}]}'
is "$RESP_STATUS" 200 "a chat turn through the scripted upstream"
like "$(jget 'j["choices"][0]["message"]["content"]')" '^ok$' "with the upstream's short reply"

t0=$(date +%s)
is "$(chat 0 "$CHAT_WARMUP")" "200:$CHAT_WARMUP" "$CHAT_WARMUP warm-up chat turns answered"
read -r cfd0 heap0 sql0 mpid <<< "$(mem)"
is "$mpid" "$pid" "the same responder reports its memory"
like "$heap0" '^[0-9]+$' "/health/detailed reports memory.heap_bytes ($heap0)"
like "$sql0" '^[0-9]+$' "/health/detailed reports memory.sqlite_bytes ($sql0)"
diag "after $CHAT_WARMUP turns: $cfd0 fds, heap $heap0, sqlite $sql0, heap-sqlite $((heap0 - sql0))"
t1=$(date +%s)
done_turns=0
max_sql=$sql0
while [ "$done_turns" -lt "$CHAT_TURNS" ]; do
	batch=1000
	[ $((CHAT_TURNS - done_turns)) -lt "$batch" ] && batch=$((CHAT_TURNS - done_turns))
	got=$(chat $((CHAT_WARMUP + done_turns)) "$batch")
	[ "$got" = "200:$batch" ] || { fail "chat turns answered" "$got"; break; }
	done_turns=$((done_turns + batch))
	read -r cfd heap sql _ <<< "$(mem)"
	[ "$sql" -gt "$max_sql" ] && max_sql=$sql
	diag "after $done_turns more: $cfd fds, heap $heap, sqlite $sql, heap-sqlite $((heap - sql)) ($((heap - sql - heap0 + sql0)) since warm-up)"
done
t2=$(date +%s)
diag "chat: $CHAT_WARMUP warm-up turns in $((t1 - t0)) s, $done_turns turns in $((t2 - t1)) s"
is "$done_turns" "$CHAT_TURNS" "$CHAT_TURNS chat turns answered"
is "$(children_of "$LIGHTTPD_PID" | tr -d '\n')" "$pid" "the same responder served every turn"
is "$cfd" "$cfd0" "open fds flat over $CHAT_TURNS chat turns ($cfd0 -> $cfd)"
drift=$(( (heap - sql) - (heap0 - sql0) ))
if [ "$drift" -le "$HEAP_LIMIT" ]; then
	pass "heap minus SQLite flat over $CHAT_TURNS chat turns (drift $drift bytes <= $HEAP_LIMIT)"
else
	fail "heap minus SQLite flat over $CHAT_TURNS chat turns" \
		"drift $drift bytes > $HEAP_LIMIT ($((heap0 - sql0)) -> $((heap - sql)))"
fi
# SQLite's share: the page cache bound (512 KiB by default) plus schema,
# statements and lookaside.
if [ "$max_sql" -le $((1536 * 1024)) ]; then
	pass "SQLite holds at most 1.5 MiB (store.cache_kb 512; peak $max_sql bytes)"
else
	fail "SQLite holds at most 1.5 MiB (store.cache_kb 512)" "peak $max_sql bytes"
fi

done_testing
