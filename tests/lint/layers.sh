#!/bin/sh
# tests/lint/layers.sh: the include graph follows the layers of
# docs/architecture.md: util includes only util; http only util and http;
# ctl never api or http; only http/hio.c includes fcgiapp.h; SQL only in
# src/store (when it exists).
# SPDX-License-Identifier: MIT
src="${top_srcdir:-.}/src"
echo "1..5"
check() { # n desc pattern dir
	hits=$(grep -rnE "$3" "$src/$4" --include='*.c' --include='*.h' 2>/dev/null || true)
	if [ -n "$hits" ]; then
		echo "$hits" | sed 's/^/# /'
		echo "not ok $1 - $2"
		rc=1
	else
		echo "ok $1 - $2"
	fi
}
rc=0
check 1 "util includes only util" '#include "(http|api|ctl|store|agent|tools|main)/' util
check 2 "http includes only util and http" '#include "(api|ctl|store|agent|tools|main)/' http
check 3 "ctl does not include api or http" '#include "(api|http)/' ctl
hits=$(grep -rlnE '#include <(fcgiapp|fcgi_stdio).h>' "$src" | grep -v 'src/http/hio.c$' || true)
if [ -n "$hits" ]; then echo "# $hits"; echo "not ok 4 - only http/hio.c includes libfcgi"; rc=1
else echo "ok 4 - only http/hio.c includes libfcgi"; fi
hits=$(grep -rlnE 'sqlite3_|"(SELECT|INSERT|UPDATE|DELETE) ' "$src" --include='*.c' | grep -v '/src/store/' || true)
if [ -n "$hits" ]; then echo "# $hits"; echo "not ok 5 - SQL only in src/store"; rc=1
else echo "ok 5 - SQL only in src/store"; fi
exit $rc
