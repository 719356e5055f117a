# tests/integration/shared_host_cases.sh: the cases of the unprivileged,
# shared-host tests (t0985 lighttpd, t0986 the shared-hosting CGI set-up),
# run against a server started as the test user of mk_run_user (lib.sh).
# SPDX-License-Identifier: MIT
#
# Sourced after lib.sh, chat_cases.sh and runs_cases.sh. Uses RB, RK and
# H (the user's HERMES_HOME). Gives:
#   sh_setup              the test user (mk_run_user), the scripted upstream,
#                         H=~/.hermes of the user with the upstream settings
#   sh_yaml TEXT          H/config.yaml, the user's file (0600)
#   sh_runners            how many hermes-runner processes the user has
#   sh_runners_gone SECS  true once the user has none (within SECS)
#   sh_most_runners SECS  the most hermes-runner processes seen in SECS
#   sh_cron_tick          `hermesctl runner run-once` as cron runs it: the
#                         user's crontab line of docs/operations.md, cron's
#                         bare environment (HOME, LOGNAME, SHELL, short PATH)
#   sh_api_cases LABEL    chat, a stored response read back, a run worked
#                         by the runner (daemon mode), state.db the user's

sh_setup() {
	mk_run_user
	start_upstream up
	H=$RUN_HOME/.hermes
	chat_env "$H"
	chown -R "$RUN_USER:$RUN_GID" "$H"
	track_log "$H/logs/runner.log"
}

sh_yaml() {
	printf '%s\n' "$1" > "$H/config.yaml"
	chown "$RUN_USER:$RUN_GID" "$H/config.yaml"
	chmod 0600 "$H/config.yaml"
}

sh_runners() { pgrep -U "$RUN_UID" -x hermes-runner | wc -l; }

sh_runners_gone() {
	local i
	for i in $(seq 1 $(($1 * 10))); do
		[ "$(sh_runners)" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}

sh_most_runners() {
	local i n most=0
	for i in $(seq 1 $(($1 * 10))); do
		n=$(sh_runners)
		[ "$n" -le "$most" ] || most=$n
		sleep 0.1
	done
	echo "$most"
}

sh_cron_tick() {
	# shellcheck disable=SC2016
	as_run_user env -i HOME="$RUN_HOME" LOGNAME="$RUN_USER" SHELL=/bin/sh PATH=/usr/bin:/bin \
		${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} \
		/bin/sh -c '$HOME/bin/hermesctl runner run-once >> $HOME/.hermes/logs/runner-cron.log 2>&1'
}

sh_api_cases() {
	local where=$1 rid
	up_script "[{\"reply\":\"$where chat\"},{\"reply\":\"$where stored\"},{\"reply\":\"$where run\"}]"
	http POST "$RB/v1/chat/completions" -H "Authorization: Bearer $RK" \
		-H 'Content-Type: application/json' \
		--data-binary '{"model":"hermes-agent","messages":[{"role":"user","content":"hi"}]}'
	is "$RESP_STATUS $(jget 'j["choices"][0]["message"]["content"]')" "200 $where chat" \
		"$where: chat completion as $RUN_USER"
	http POST "$RB/v1/responses" -H "Authorization: Bearer $RK" -H 'Content-Type: application/json' \
		--data-binary '{"model":"hermes-agent","input":"store this"}'
	rid=$(jget 'j.get("id") or ""')
	is "$RESP_STATUS $(jget 'j["output"][-1]["content"][0]["text"]')" "200 $where stored" \
		"$where: a response"
	http GET "$RB/v1/responses/$rid" -H "Authorization: Bearer $RK"
	is "$RESP_STATUS $(jget 'j["id"]')" "200 $rid" "$where: ... read back from the store"
	rpost '{"input":"work as a user"}'
	is "$RESP_STATUS" 202 "$where: POST /v1/runs"
	is "$(rwait "$RUN_ID" 'completed|failed|cancelled|interrupted' 60) $(jget 'j.get("output")')" \
		"completed $where run" "$where: the runner a request started worked it"
	revents "$RUN_ID" "$T/ev.api"
	is "$(rev_check "$T/ev.api" run.completed)" "" "$where: its events replay"
	is "$(stat -c %U "$H/state.db")" "$RUN_USER" "$where: state.db is the user's"
}
