#!/bin/sh
# fcgi/shared-hosting/hermes.fcgi: wrapper that starts hermes-fcgi on a host
# that only offers CGI or FastCGI scripts in a web directory (see
# fcgi/README.md and the .htaccess that routes requests here).
# SPDX-License-Identifier: MIT
#
# The same script works both ways: under plain CGI (the .htaccess default)
# it runs once per request; under mod_fcgid it is started once and
# hermes-fcgi serves many requests on fd 0.
#
# Edit the two settings below, or leave them to the defaults:
#   HERMES_HOME  must be OUTSIDE the web directory (it holds .env with the API
#                key) and writable by the account this script runs as;
#                default: ~/.hermes of that account
#   HERMES_FCGI  the hermes-fcgi binary; default: ~/bin/hermes-fcgi, else the
#                one on PATH

HERMES_HOME=${HERMES_HOME:-}
HERMES_FCGI=${HERMES_FCGI:-}

# fail MESSAGE: say so in the error log and answer in the API's error shape
# (not the host's generic HTML 500), then stop.
fail() {
	echo "hermes.fcgi: $1" >&2
	if [ -n "${GATEWAY_INTERFACE:-}" ]; then
		msg=$(printf '%s' "$1" | sed 's/[\\"]/\\&/g')
		printf 'Status: 500 Internal Server Error\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n\r\n'
		printf '{"error":{"message":"hermes.fcgi: %s","type":"server_error","param":null,"code":"config_error"}}\n' "$msg"
	fi
	exit 1
}

me=$(id -un 2>/dev/null || id -u)
home_given=$HERMES_HOME
# Web servers often start scripts without HOME: take it from the passwd file.
if [ -z "${HOME:-}" ]; then
	HOME=$(getent passwd "$(id -u)" 2>/dev/null | cut -d: -f6)
	export HOME
fi
if [ -z "$HERMES_HOME" ]; then
	# Without suexec (or the like) the host runs scripts as its own web
	# account, shared by every site: its home is not yours, and the agent's
	# shell would be everybody's.
	case $me in
	www-data|apache|nobody|http|wwwrun|www|daemon)
		fail "this script runs as the web server's shared account '$me', not as your own (the host has no suexec for this directory), so the default HERMES_HOME ($HOME/.hermes) would be that account's. Ask the host to run your scripts as your account, or set HERMES_HOME at the top of hermes.fcgi to a directory outside the web directory that '$me' can write."
		;;
	esac
	[ -n "$HOME" ] && [ "$HOME" != / ] ||
		fail "the account '$me' has no home directory, so there is no default HERMES_HOME: set HERMES_HOME at the top of hermes.fcgi."
	HERMES_HOME=$HOME/.hermes
fi
if [ ! -d "$HERMES_HOME" ]; then
	fail "HERMES_HOME $HERMES_HOME does not exist: create it as '$me' with 'HERMES_HOME=$HERMES_HOME ~/bin/hermesctl init' (or set HERMES_HOME at the top of hermes.fcgi${home_given:+; it is set there now})."
fi
if [ ! -w "$HERMES_HOME" ] || [ ! -x "$HERMES_HOME" ]; then
	fail "HERMES_HOME $HERMES_HOME is not writable by '$me', the account this script runs as (its database and workspace live there): chown it to '$me', or set HERMES_HOME at the top of hermes.fcgi to a directory '$me' owns."
fi
export HERMES_HOME

if [ -z "$HERMES_FCGI" ]; then
	if [ -x "$HOME/bin/hermes-fcgi" ]; then
		HERMES_FCGI=$HOME/bin/hermes-fcgi
	else
		HERMES_FCGI=$(command -v hermes-fcgi || echo /usr/local/bin/hermes-fcgi)
	fi
fi
[ -x "$HERMES_FCGI" ] ||
	fail "hermes-fcgi binary not found at $HERMES_FCGI: put it into ~/bin/ (mode 0755) or set HERMES_FCGI at the top of hermes.fcgi."

# Behind a RewriteRule Apache renames variables set for the request
# (E=HTTP_AUTHORIZATION:..., SetEnvIf) to REDIRECT_* on the internal
# redirect.
if [ -z "${HTTP_AUTHORIZATION:-}" ] && [ -n "${REDIRECT_HTTP_AUTHORIZATION:-}" ]; then
	HTTP_AUTHORIZATION=$REDIRECT_HTTP_AUTHORIZATION
	export HTTP_AUTHORIZATION
fi

exec "$HERMES_FCGI"
