#!/bin/bash
# tests/integration/t0970-discover.sh: upstream discovery (issue 14, point
# 2). hermesctl init and hermesctl doctor --discover probe 127.0.0.1 only
# (GET /v1/models), here scripted upstreams on the ports HERMES_DISCOVER_PORTS
# names, and once on a real default port; what answers becomes config.yaml's
# models: list (first = default), which the responder then serves.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"

need "$HERMESCTL" "$HERMES_FCGI" "$PYTHON" curl strace

# probes PORT: how many GET /v1/models that scripted upstream recorded.
probes() {
	curl -sf "http://127.0.0.1:$1/__requests" |
		"$PYTHON" -c 'import json,sys; print(sum(1 for r in json.load(sys.stdin) if r["method"] == "GET" and r["path"] == "/v1/models"))'
}

# options HOME KEY: GET /api/model/options of HOME through CGI.
options() {
	CGI_HOME=$1 cgi REQUEST_METHOD=GET PATH_INFO=/api/model/options \
		HTTP_AUTHORIZATION="Bearer $2" REMOTE_ADDR=127.0.0.1
}

start_upstream da --models llama3.2,qwen2
PA=$UPSTREAM_PORT
start_upstream db --models phi-3
PB=$UPSTREAM_PORT
PNONE=$(free_port)

# ---- init finds two servers, skips the silent port and every non-port -------
export HERMES_HOME=$T/h1
export HERMES_DISCOVER_PORTS="ollama:$PA,$PNONE,llamacpp:$PB,10.0.0.1:80,example.com:8080,[::1]:80"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=connect -o "$T/strace.out" "$HERMESCTL" init > "$T/ctl.out" 2> "$T/ctl.err"
CTL_RC=$?
CTL_OUT=$(cat "$T/ctl.out")
CTL_ERR=$(cat "$T/ctl.err")
is "$CTL_RC" 0 "init with discovery exits 0"
like "$CTL_ERR" "found ollama on 127\.0\.0\.1:$PA with 2 models, first llama3\.2" "init says what it found on the first port"
like "$CTL_ERR" "found llamacpp on 127\.0\.0\.1:$PB with 1 model, first phi-3" "… and on the second"
like "$CTL_ERR" "nothing on 127\.0\.0\.1:$PNONE" "… and that nothing answered on the third"
like "$CTL_ERR" "ignoring '10\.0\.0\.1:80'" "a host in HERMES_DISCOVER_PORTS is refused"
like "$CTL_ERR" "ignoring 'example\.com:8080'" "… a name too"
like "$CTL_ERR" "wrote 2 servers to .*config\.yaml" "init says it wrote them into config.yaml"
is "$(probes "$PA") $(probes "$PB")" "1 1" "each scripted server got one GET /v1/models"
check_connects=$(grep -o 'sin6\?_addr=[^)]*)\|inet_addr("[^"]*")\|inet_pton([^)]*)' "$T/strace.out" |
	grep -v '127\.0\.0\.1' | sort -u)
is "$check_connects" "" "init connected to 127.0.0.1 only (strace of connect)"
is "$(grep -c 'connect(' "$T/strace.out")" 3 "… three connects, one per port probed"
key=$(printf '%s\n' "$CTL_OUT" | sed -n 's/^API_SERVER_KEY=//p')
options "$T/h1" "$key"
is "$RESP_STATUS $(jget '[j.get("model"), j["providers"][0]["models"]]')" \
	'200 ["llama3.2", ["llama3.2", "qwen2", "phi-3"]]' \
	"the responder serves the written models, the first found as default"
is "$(jget '[m["upstream_model"] for m in j["models"]]')" '["llama3.2", "qwen2", "phi-3"]' \
	"… each with its upstream model id"
ctl doctor
like "$CTL_OUT" "ok upstream phi-3: GET http://127\.0\.0\.1:$PB/v1/models answered 200" \
	"doctor checks each written model's upstream"
like "$CTL_OUT" "ok config:" "the written config.yaml parses"
cp "$T/h1/config.yaml" "$T/h1.yaml"
ctl init
like "$CTL_ERR" "not written: .* already has a models: list" "a second init leaves an existing models: list alone"
ok "… config.yaml unchanged" cmp -s "$T/h1.yaml" "$T/h1/config.yaml"

# ---- nothing answers: today's message --------------------------------------------
export HERMES_HOME=$T/h2 HERMES_DISCOVER_PORTS=$PNONE
ctl init
is "$CTL_RC" 0 "init with nothing found exits 0"
like "$CTL_ERR" "No upstream LLM configured: set OPENAI_BASE_URL and OPENAI_API_KEY" \
	"nothing found: the same clear message as without discovery"
unlike "$(cat "$T/h2/config.yaml")" "^models:" "… and no models: list is written"

# ---- an upstream is configured already: reported, not written ------------------------
export HERMES_HOME=$T/h3 HERMES_DISCOVER_PORTS="ollama:$PA"
OPENAI_BASE_URL=http://127.0.0.1:$PB/v1 ctl init
like "$CTL_ERR" "found ollama" "with OPENAI_BASE_URL set, init still says what answers"
like "$CTL_ERR" "not written: an upstream is configured already" "… but writes nothing"
unlike "$(cat "$T/h3/config.yaml")" "^models:" "… config.yaml has no models: list"

# ---- doctor --discover ------------------------------------------------------------
export HERMES_HOME=$T/h2 HERMES_DISCOVER_PORTS="vllm:$PB"
ctl doctor --discover
like "$CTL_OUT" "found vllm on 127\.0\.0\.1:$PB" "doctor --discover probes"
like "$CTL_OUT" "wrote 1 server to" "… writes what it found into config.yaml"
like "$CTL_OUT" "ok upstream phi-3:" "… and then checks it"
ctl doctor --bogus
is "$CTL_RC" 2 "doctor with another option is a usage error"

export HERMES_HOME=$T/h5 HERMES_DISCOVER_PORTS=off
curl -sf -X POST "http://127.0.0.1:$PA/__reset" > /dev/null
curl -sf -X POST "http://127.0.0.1:$PB/__reset" > /dev/null
ctl init
like "$CTL_ERR" "discovery: off" "HERMES_DISCOVER_PORTS=off: init probes nothing"
is "$(probes "$PA") $(probes "$PB")" "0 0" "… no server got a GET /v1/models"

# ---- the real default ports, when one is free ----------------------------------------
unset HERMES_DISCOVER_PORTS
real=
for p in 11434 1234 8000 8080; do
	(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
	mkdir -p "$T/real$p"
	"$PYTHON" "$top_srcdir/tests/upstream/upstream.py" --port "$p" --port-file "$T/real$p/port" \
		--models real-model < /dev/null > "$T/real$p/out.log" 2>&1 &
	rp=$!
	track_pid "$rp"
	if wait_port "$p" "$rp" 10; then
		real=$p
		break
	fi
done
if [ -z "$real" ]; then
	fail "a default discovery port (11434, 1234, 8000, 8080) is free for a scripted server" \
		"all four are in use"
else
	export HERMES_HOME=$T/h4
	ctl init
	like "$CTL_ERR" "found [^\n]* on 127\.0\.0\.1:$real with 1 model, first real-model" \
		"init without HERMES_DISCOVER_PORTS probes the usual port $real"
	like "$(cat "$T/h4/config.yaml")" "base_url: \"http://127\.0\.0\.1:$real/v1\"" "… and writes it"
	stop_pid "$rp"
fi

done_testing
