#!/bin/sh
# fcgi/shared-hosting/hermes.fcgi: wrapper that starts hermes-fcgi on a host
# that only offers CGI or FastCGI scripts in a web directory (see README.md
# next to it and the .htaccess that routes requests here).
# SPDX-License-Identifier: MIT
#
# The same script works both ways: under mod_fcgid (AddHandler fcgid-script)
# it is started once and hermes-fcgi serves many requests on fd 0; under plain
# CGI (AddHandler cgi-script) it runs once per request.
#
# Edit the two settings below, or leave them to the defaults:
#   HERMES_HOME  must be OUTSIDE the web directory (it holds .env with the API
#                key); default: ~/.hermes of the account running this script
#   HERMES_FCGI  the hermes-fcgi binary; default: ~/bin/hermes-fcgi, else the
#                one on PATH

HERMES_HOME=${HERMES_HOME:-}
HERMES_FCGI=${HERMES_FCGI:-}

# Web servers often start scripts without HOME: take it from the passwd file.
if [ -z "${HOME:-}" ]; then
	HOME=$(getent passwd "$(id -u)" 2>/dev/null | cut -d: -f6)
	[ -n "$HOME" ] || HOME=$(cd ~ 2>/dev/null && pwd)
	export HOME
fi
HERMES_HOME=${HERMES_HOME:-$HOME/.hermes}
if [ -z "$HERMES_FCGI" ]; then
	if [ -x "$HOME/bin/hermes-fcgi" ]; then
		HERMES_FCGI=$HOME/bin/hermes-fcgi
	else
		HERMES_FCGI=$(command -v hermes-fcgi || echo /usr/local/bin/hermes-fcgi)
	fi
fi
export HERMES_HOME

# Plain CGI behind a RewriteRule: Apache renames variables set by the rule
# (E=HTTP_AUTHORIZATION:...) to REDIRECT_* on the internal redirect.
if [ -z "${HTTP_AUTHORIZATION:-}" ] && [ -n "${REDIRECT_HTTP_AUTHORIZATION:-}" ]; then
	HTTP_AUTHORIZATION=$REDIRECT_HTTP_AUTHORIZATION
	export HTTP_AUTHORIZATION
fi

if [ ! -x "$HERMES_FCGI" ]; then
	# Say so in the error log and answer in the API's error shape.
	echo "hermes.fcgi: hermes-fcgi binary not found at $HERMES_FCGI (edit hermes.fcgi)" >&2
	if [ -n "${GATEWAY_INTERFACE:-}" ]; then
		printf 'Status: 500 Internal Server Error\r\nContent-Type: application/json\r\n\r\n'
		printf '{"error":{"message":"hermes-fcgi binary not found: edit hermes.fcgi","type":"server_error","param":null,"code":"config_error"}}\n'
	fi
	exit 1
fi
exec "$HERMES_FCGI"
