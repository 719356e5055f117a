#!/bin/sh
# tests/lint/banned.sh: no unbounded or unchecked C library calls in src/
# (STYLE.md: buffers through util/buf, numbers through util/str).
# SPDX-License-Identifier: MIT
src="${top_srcdir:-.}/src"


echo "1..1"
hits=$(grep -rnE '\b(sprintf|vsprintf|strcpy|strcat|strncpy|strtok|atoi|atol|atoll|gets|sscanf)[[:space:]]*\(' \
	"$src" --include='*.c' --include='*.h' | grep -vE '\b(snprintf|vsnprintf)\(' || true)
if [ -n "$hits" ]; then
	echo "$hits" | sed 's/^/# /'
	echo "not ok 1 - banned functions used in src/ (use util/buf, util/str)"
	exit 1
fi
echo "ok 1 - no banned functions in src/"
