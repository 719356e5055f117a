#!/bin/sh
# tests/lint/symbols.sh: every external symbol of libhermes.a carries its
# module prefix, so a name says where it lives (STYLE.md naming). The one
# exception: src/util/lazy_curl.c defines libcurl's own function names (the
# forwarders of the lazy loader), and only it may.
# SPDX-License-Identifier: MIT
lib="${LIBHERMES:-src/libhermes.a}"
echo "1..2"
if [ ! -f "$lib" ]; then
	echo "not ok 1 - $lib not built"
	echo "not ok 2 - $lib not built"
	exit 1
fi
# "member.o:" headers, then "addr T name" lines: print "member name".
syms=$(nm -g --defined-only "$lib" 2>/dev/null |
	awk '/:$/ { m = $1; sub(/:$/, "", m); next } NF == 3 { print m, $3 }' |
	grep -v ' __odr_asan\.')
rc=0
# check N DESC BAD: ok when BAD (names, one a line) is empty.
check() {
	if [ -n "$3" ]; then
		echo "$3" | sed 's/^/# offending: /'
		echo "not ok $1 - $2"
		rc=1
	else
		echo "ok $1 - $2"
	fi
}
check 1 "all external symbols carry a module prefix" "$(printf '%s\n' "$syms" |
	grep -v '^lazy_curl\.o ' | awk '{ print $2 }' |
	grep -vE '^(req|route|resp|hio|sse|api|agent|llm|tool|store|runner|buf|jsonx|log|cfg|auth|herr|str|rand|dotenv|yamlcfg|ctl|lazy|utf8|query|fileio|netpolicy|xfer|privs|x)_|^x(malloc|calloc|realloc|strdup|strndup|alloc_tune)$')"
check 2 "lazy_curl.o defines only lazy_* and libcurl's curl_* names" "$(printf '%s\n' "$syms" |
	grep '^lazy_curl\.o ' | awk '{ print $2 }' | grep -vE '^(lazy_|curl_)')"
exit $rc
