#!/bin/bash
# tests/integration/t0400-growth.sh: one responder (lighttpd, max-procs 1,
# the shipped template) serves 2,000 requests of mixed outcome; its open fds
# and resident memory, read from /proc, must not grow per request.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"

need "$HERMES_FCGI" "$PYTHON" curl lighttpd
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

home=$T/home
mk_home "$home"
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

# sample: "fds rss_kb" of the responder.
sample() {
	local fds rss
	fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l | tr -d ' ')
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

done_testing
