# tests/integration/compat_npm.sh: the pinned npm packages of tests/compat
# (package.json + package-lock.json), installed with `npm ci
# --ignore-scripts` into the build tree ($top_builddir/tests/compat-npm),
# never into the source tree, and reinstalled only when the lock file or
# the Node.js version changes; and a lighttpd in front of hermes-fcgi with
# the scripted upstream for the scripts to drive.
# SPDX-License-Identifier: MIT
#
# Sourced after lib.sh. Gives:
#   compat_install        installs (or reuses) the packages; sets COMPAT_DIR.
#                         Without node/npm (or without registry access for
#                         the first install) the test is skipped, or fails
#                         under CI=true.
#   compat_server NAME    the upstream, a HERMES_HOME and lighttpd NAME
#   compat_run SCRIPT     copies tests/compat/SCRIPT (and lib.mjs) next to
#                         the packages and runs it against that server; its
#                         TAP output is the test's; returns its status

compat_install() {
	local node_major src=$top_srcdir/tests/compat stamp
	need node npm
	node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)
	case $node_major in
	''|*[!0-9]*) skip_or_fail "node does not run" ;;
	esac
	[ "$node_major" -ge 18 ] || skip_or_fail "Node.js $(node --version) is too old (the pinned packages need 18 or later)"
	COMPAT_DIR=$top_builddir/tests/compat-npm
	mkdir -p "$COMPAT_DIR" || bail_out "cannot create $COMPAT_DIR"
	stamp="$(cat "$src/package-lock.json" "$src/package.json" | cksum) node $(node --version)"
	if [ ! -d "$COMPAT_DIR/node_modules/openai" ] || [ "$(cat "$COMPAT_DIR/.installed" 2>/dev/null)" != "$stamp" ]; then
		rm -f "$COMPAT_DIR/.installed"
		cp "$src/package.json" "$src/package-lock.json" "$COMPAT_DIR/" || bail_out "cannot copy tests/compat/package*.json"
		if ! (cd "$COMPAT_DIR" && timeout 300 npm ci --ignore-scripts --no-audit --no-fund \
			--loglevel=error) > "$T/npm-ci.log" 2>&1; then
			diag "$(tail -n 20 "$T/npm-ci.log")"
			skip_or_fail "npm ci of the pinned packages failed (no registry access?)"
		fi
		echo "$stamp" > "$COMPAT_DIR/.installed"
	fi
	diag "Node.js $(node --version), npm $(npm --version 2>/dev/null)"
}

compat_server() {
	local home=$T/home
	start_upstream upstream
	mk_home "$home"
	track_pidfile "$home/runner.pid"  # background responses start the runner
	# Before lighttpd starts: the responders read .env once, at start.
	printf 'OPENAI_BASE_URL=%s\nOPENAI_API_KEY=k\nHERMES_MODEL=test-model\n' "$UPSTREAM_URL" >> "$home/.env"
	start_lighttpd "$1" / "$home" 2
}

compat_run() {
	local rc
	cp "$top_srcdir/tests/compat/$1" "$top_srcdir/tests/compat/lib.mjs" "$COMPAT_DIR/" ||
		bail_out "cannot copy tests/compat/$1"
	HERMES_URL=http://127.0.0.1:$LIGHTTPD_PORT/v1 HERMES_KEY=$TEST_KEY HERMES_WRONG_KEY=$WRONG_KEY \
		UPSTREAM_CONTROL=http://127.0.0.1:$UPSTREAM_PORT COMPAT_TIMEOUT=${COMPAT_TIMEOUT:-60} \
		timeout $((${COMPAT_TIMEOUT:-60} + 20)) node "$COMPAT_DIR/$1"
	rc=$?
	[ "$rc" -eq 0 ] || diag "$1 exited with status $rc"
	return "$rc"
}
