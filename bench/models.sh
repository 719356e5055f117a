#!/usr/bin/env bash
# bench/models.sh: GET /v1/models throughput of hermes-fcgi against the floor.
#
# Runs the shipped lighttpd config (lighttpd/lighttpd.conf.in, rendered by
# lighttpd/render.sh) on a free 127.0.0.1 port, once with hermes-fcgi and
# once with bench/floor-fcgi (a minimal libfcgi responder that sends the
# same bytes) as the FastCGI bin-path, alternating H F H F ... in one run,
# and measures each round with wrk. Prints req/s per round, the medians, the
# ratio hermes/floor (target >= 0.90), the responders' peak RSS (VmHWM of
# lighttpd's children; target <= 8 MB) and the max RSS of one plain-CGI
# invocation of hermes-fcgi (/usr/bin/time -v).
#
# Usage: bench/models.sh [BUILD_DIR]        (see bench/README.md)
#   BUILD_DIR     where hermes-fcgi and bench/floor-fcgi were built
#                 (default: the source tree); HERMES_FCGI / FLOOR_FCGI override.
#   Environment:  WRK_THREADS (2) WRK_CONNS (16) WRK_DURATION (10s)
#                 WARMUP (2s) ROUNDS (3) MAXPROCS (2) MOUNT ("" = site root)
#                 LIGHTTPD (lighttpd binary) WRK (wrk binary)
#                 BENCH_KEEP=1 keeps the scratch dir (configs, logs, wrk output)
# Exit status: 0 when every round ran (targets missed are reported, not
# fatal), 1 when something failed to start, 2 on bad usage.
# Only processes this script started are signalled, by pid.
# SPDX-License-Identifier: MIT
set -u

bench_name=models.sh
# shellcheck source=bench/lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
bench_args "$@"

FLOOR_FCGI=${FLOOR_FCGI:-$builddir/bench/floor-fcgi}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNS=${WRK_CONNS:-16}
WRK_DURATION=${WRK_DURATION:-10s}
WARMUP=${WARMUP:-2s}
ROUNDS=${ROUNDS:-3}
RATIO_TARGET=0.90
RSS_TARGET_KB=8192 # 8 MiB

need_lighttpd
WRK=${WRK:-$(find_prog wrk)} || true
if [ -z "$WRK" ] || [ ! -x "$WRK" ]; then
	die "wrk not found (apt-get install wrk, or set WRK)"
fi
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"
[ -x "$FLOOR_FCGI" ] || die "no floor-fcgi at $FLOOR_FCGI (build it, see bench/README.md, or set FLOOR_FCGI)"

# A sanitizer build measures the sanitizer, not us.
for b in "$HERMES_FCGI" "$FLOOR_FCGI"; do
	is_sanitized "$b" && die "$b is a sanitizer build; build an optimized copy (bench/README.md)"
done

bench_scratch
# Only GET /v1/models is called here: no agent tool runs.
bench_home

vmhwm_kb() { # pid
	awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

wrk_run() { # port duration: run wrk, leave its output in $tmp/wrk.out
	"$WRK" -t"$WRK_THREADS" -c"$WRK_CONNS" -d"$2" \
		-H "Authorization: Bearer $key" "$(url "$1")" >"$tmp/wrk.out" 2>&1 ||
		{ cat "$tmp/wrk.out" >&2; return 1; }
	if grep -Eq 'Non-2xx|Socket errors' "$tmp/wrk.out"; then
		grep -E 'Non-2xx|Socket errors' "$tmp/wrk.out" >&2
		return 1
	fi
	grep -q '^Requests/sec:' "$tmp/wrk.out" || { cat "$tmp/wrk.out" >&2; return 1; }
}

cpu_ticks() { # pids...: summed utime+stime clock ticks
	local p t=0 v
	for p in "$@"; do
		v=$(sed -e 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }')
		t=$((t + ${v:-0}))
	done
	echo "$t"
}

median() { # numbers...
	printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END {
		if(NR % 2) printf "%.6g\n", a[(NR + 1) / 2];
		else printf "%.6g\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# Normalised response (per-request values masked) for the byte comparison.
snapshot() { # port out
	curl -s -i -H "Authorization: Bearer $key" "$(url "$1")" |
		tr -d '\r' |
		grep -v -i -e '^Date:' -e '^Server:' |
		sed -e 's/^\(X-Request-Id:\) [0-9a-f]\{16\}$/\1 <16hex>/I' \
			-e 's/"created":[0-9]\{10\}/"created":<10digits>/' >"$2"
}

# ---- rounds --------------------------------------------------------------------
echo "hermes-fcgi: $HERMES_FCGI"
echo "floor-fcgi:  $FLOOR_FCGI"
echo "lighttpd:    $("$LIGHTTPD" -v 2>&1 | head -n 1), max-procs $MAXPROCS, mount '${MOUNT:-/}'"
echo "wrk:         -t$WRK_THREADS -c$WRK_CONNS -d$WRK_DURATION (warm-up $WARMUP), $ROUNDS rounds each, $(nproc) CPUs"
echo

h_rps=() f_rps=() h_cpu=() f_cpu=()
h_hwm=0 f_hwm=0
hz=$(getconf CLK_TCK)
# resp-us/req, lighttpd-us/req: CPU time (user+sys) the responders resp.
# lighttpd spent per request during the wrk run. pair: this round's
# hermes/floor req/s (neighbouring runs, so less exposed to drift).
printf '%-6s %-10s %10s %10s %12s %16s %7s\n' round responder req/s 'VmHWM(kB)' 'resp-us/req' 'lighttpd-us/req' pair
for r in $(seq 1 "$ROUNDS"); do
	for tag in hermes floor; do
		if [ "$tag" = hermes ]; then bin=$HERMES_FCGI; else bin=$FLOOR_FCGI; fi
		start_server "$bin" "$tag"
		[ "$r" -eq 1 ] && snapshot "$port" "$tmp/snap-$tag"
		wrk_run "$port" "$WARMUP" || die "wrk warm-up against $tag failed"
		mapfile -t kids < <(children_of "$lighttpd_pid")
		t0=$(cpu_ticks "${kids[@]}")
		l0=$(cpu_ticks "$lighttpd_pid")
		wrk_run "$port" "$WRK_DURATION" || die "wrk against $tag failed"
		t1=$(cpu_ticks "${kids[@]}")
		l1=$(cpu_ticks "$lighttpd_pid")
		rps=$(awk '/^Requests\/sec:/ { print $2 }' "$tmp/wrk.out")
		n=$(awk '/ requests in / { print $1 }' "$tmp/wrk.out")
		cpu=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v n="$n" 'BEGIN { printf "%.1f", (n > 0) ? d / hz * 1e6 / n : 0 }')
		lcpu=$(awk -v d=$((l1 - l0)) -v hz="$hz" -v n="$n" 'BEGIN { printf "%.1f", (n > 0) ? d / hz * 1e6 / n : 0 }')
		hwm=0
		for p in $(children_of "$lighttpd_pid"); do
			v=$(vmhwm_kb "$p")
			[ -n "$v" ] && [ "$v" -gt "$hwm" ] && hwm=$v
		done
		stop_server
		pair=""
		if [ "$tag" = floor ]; then
			pair=$(awk -v h="${h_rps[$((r - 1))]}" -v f="$rps" 'BEGIN { printf "%.3f", (f > 0) ? h / f : 0 }')
		fi
		printf '%-6s %-10s %10s %10s %12s %16s %7s\n' "$r" "$tag" "$rps" "$hwm" "$cpu" "$lcpu" "$pair"
		if [ "$tag" = hermes ]; then
			h_rps+=("$rps")
			h_cpu+=("$cpu")
			[ "$hwm" -gt "$h_hwm" ] && h_hwm=$hwm
		else
			f_rps+=("$rps")
			f_cpu+=("$cpu")
			[ "$hwm" -gt "$f_hwm" ] && f_hwm=$hwm
		fi
	done
done

# ---- same bytes? ---------------------------------------------------------------
echo
if diff -u "$tmp/snap-floor" "$tmp/snap-hermes" >"$tmp/snap.diff"; then
	echo "responses:   identical apart from X-Request-Id and created ($(wc -c <"$tmp/snap-hermes") bytes normalised)"
else
	echo "responses:   DIFFER (floor vs hermes, per-request values masked):"
	cat "$tmp/snap.diff"
fi

# ---- one plain CGI invocation --------------------------------------------------
cgi_out=$tmp/cgi.out
env -i PATH=/usr/bin:/bin HERMES_HOME="$home" GATEWAY_INTERFACE=CGI/1.1 \
	REQUEST_METHOD=GET SCRIPT_NAME="$MOUNT" PATH_INFO=/v1/models \
	REQUEST_URI="$MOUNT/v1/models" QUERY_STRING= SERVER_PROTOCOL=HTTP/1.1 \
	SERVER_NAME=127.0.0.1 SERVER_ADDR=127.0.0.1 SERVER_PORT=80 \
	REMOTE_ADDR=127.0.0.1 HTTP_AUTHORIZATION="Bearer $key" \
	/usr/bin/time -v -o "$tmp/time.out" "$HERMES_FCGI" </dev/null >"$cgi_out" 2>"$tmp/cgi.err"
cgi_rc=$?
cgi_rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tmp/time.out" 2>/dev/null)
cgi_status=$(head -n 1 "$cgi_out" | tr -d '\r')

# ---- summary -----------------------------------------------------------------
hm=$(median "${h_rps[@]}")
fm=$(median "${f_rps[@]}")
ratio=$(awk -v h="$hm" -v f="$fm" 'BEGIN { printf "%.3f", (f > 0) ? h / f : 0 }')
pairs=()
for i in "${!f_rps[@]}"; do
	pairs+=("$(awk -v h="${h_rps[$i]}" -v f="${f_rps[$i]}" 'BEGIN { printf "%.3f", (f > 0) ? h / f : 0 }')")
done
verdict() { if [ "$1" = 1 ]; then echo PASS; else echo MISS; fi; }

echo
echo "median req/s: hermes $hm, floor $fm"
echo "median responder CPU per request: hermes $(median "${h_cpu[@]}") us, floor $(median "${f_cpu[@]}") us"
echo "ratio hermes/floor: $ratio (target >= $RATIO_TARGET) $(verdict "$(awk -v r="$ratio" -v t="$RATIO_TARGET" 'BEGIN { print (r >= t) }')")"
echo "median of per-round ratios: $(median "${pairs[@]}" | awk '{ printf "%.3f", $1 }') (${pairs[*]})"
echo "peak RSS (VmHWM) hermes-fcgi: $h_hwm kB (target <= $RSS_TARGET_KB kB) $(verdict "$([ "$h_hwm" -le "$RSS_TARGET_KB" ] && echo 1)")"
echo "peak RSS (VmHWM) floor-fcgi:  $f_hwm kB"
if [ "$cgi_rc" -eq 0 ] && [ -n "$cgi_rss" ]; then
	echo "CGI invocation: '$cgi_status', max RSS $cgi_rss kB (target <= $RSS_TARGET_KB kB) $(verdict "$([ "$cgi_rss" -le "$RSS_TARGET_KB" ] && echo 1)")"
else
	echo "CGI invocation failed (exit $cgi_rc):" >&2
	cat "$tmp/cgi.err" "$tmp/time.out" >&2
	exit 1
fi
exit 0
