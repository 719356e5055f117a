#!/bin/sh
# tests/lint/symbols.sh: every external symbol of libhermes.a carries its
# module prefix, so a name says where it lives (STYLE.md naming).
# SPDX-License-Identifier: MIT
lib="${LIBHERMES:-src/libhermes.a}"
echo "1..1"
if [ ! -f "$lib" ]; then
	echo "not ok 1 - $lib not built"
	exit 1
fi
bad=$(nm -g --defined-only "$lib" 2>/dev/null | awk 'NF==3 {print $3}' | grep -v '^__odr_asan\.' |
	grep -vE '^(req|route|resp|hio|sse|api|agent|llm|tool|store|runner|buf|jsonx|log|cfg|auth|herr|str|rand|dotenv|yamlcfg|ctl|lazy|utf8|query|fileio|netpolicy|x)_|^x(malloc|calloc|realloc|strdup|strndup)$' || true)
if [ -n "$bad" ]; then
	echo "$bad" | sed 's/^/# unprefixed: /'
	echo "not ok 1 - external symbols without a module prefix"
	exit 1
fi
echo "ok 1 - all external symbols carry a module prefix"
