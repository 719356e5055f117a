#!/bin/bash
# tests/lint/layers.sh: the include graph follows the layers of
# docs/architecture.md. One table row per layer: the layers its files may
# include ("#include "layer/..."). A layer not listed may not be included by
# anyone; a row whose directory does not exist yet (runner) is still
# checked when it appears. Then the rules that are about one library each.
# SPDX-License-Identifier: MIT
src="${top_srcdir:-.}/src"

#	layer	may include
LAYERS='
	util	util
	store	util store
	tools	util store tools
	agent	util store tools agent
	http	util http
	api	util store tools agent runner http api
	ctl	util store tools agent runner ctl
	runner	util store tools agent runner
	main	util store tools agent http api ctl runner main
'
# The runner (daemon and workers) never speaks HTTP: it must not include
# http/ (nor api/, which does). Asserted on the table itself below, so the
# rule cannot be dropped by editing the row.

n=0
rc=0
result() { # ok? desc [detail]
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n - $2"
	else
		[ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/# /'
		echo "not ok $n - $2"
		rc=1
	fi
}

all=$(printf '%s\n' "$LAYERS" | awk 'NF { print $1 }' | tr '\n' ' ')
rows=$(printf '%s\n' "$LAYERS" | awk 'NF' | wc -l)
echo "1..$((rows + 6))"

while read -r layer allowed; do
	[ -n "$layer" ] || continue
	banned=
	for l in $all; do
		case " $allowed " in *" $l "*) ;; *) banned="$banned|$l" ;; esac
	done
	banned=${banned#|}
	desc="$layer/ includes only: $allowed"
	if [ ! -d "$src/$layer" ]; then
		result ok "$desc (no $layer/ yet)"
		continue
	fi
	[ -n "$banned" ] || banned='-none-'
	hits=$(grep -rnE "#include \"($banned)/" "$src/$layer" --include='*.c' --include='*.h' 2>/dev/null || true)
	if [ -z "$hits" ]; then result ok "$desc"; else result bad "$desc" "$hits"; fi
done <<EOF2
$LAYERS
EOF2

missing=
for d in "$src"/*/; do
	d=$(basename "$d")
	case " $all " in *" $d "*) ;; *) missing="$missing $d" ;; esac
done
if [ -z "$missing" ]; then result ok "every directory of src/ is a layer of the table"
else result bad "every directory of src/ is a layer of the table" "not in the table:$missing"; fi

runner_row=$(printf '%s\n' "$LAYERS" | awk '$1 == "runner"')
case " $runner_row " in
*" http "* | *" api "* | '  ') result bad "the table keeps runner/ away from http/ and api/" "$runner_row" ;;
*) result ok "the table keeps runner/ away from http/ and api/" ;;
esac

hits=$(grep -rlE '#include <(fcgiapp|fcgi_stdio)\.h>' "$src" | grep -v 'src/http/hio.c$' || true)
if [ -z "$hits" ]; then result ok "only http/hio.c includes libfcgi"; else result bad "only http/hio.c includes libfcgi" "$hits"; fi

hits=$(grep -rlE 'sqlite3_|"(SELECT|INSERT|UPDATE|DELETE) ' "$src" --include='*.c' | grep -v '/src/store/' || true)
if [ -z "$hits" ]; then result ok "SQL only in src/store"; else result bad "SQL only in src/store" "$hits"; fi

# libcurl and libxml2 are loaded lazily (src/util/lazy_*.c): their headers
# come through util/lazy_curl.h / util/lazy_xml.h, which is what makes the
# calls go through the loader.
hits=$(grep -rnE '#include <(curl|libxml)/' "$src" --include='*.c' --include='*.h' |
	grep -vE '^[^:]*/src/util/lazy_(curl|xml)\.h:' || true)
if [ -z "$hits" ]; then result ok "libcurl/libxml2 headers only through util/lazy_curl.h, util/lazy_xml.h"
else result bad "libcurl/libxml2 headers only through util/lazy_curl.h, util/lazy_xml.h" "$hits"; fi

# libcurl's compile-time type checks (typecheck-gcc.h macros) stay on
# everywhere but in the file that defines the forwarders.
hits=$(grep -rnE '#[[:space:]]*undef[[:space:]]+curl_easy_(setopt|getinfo)' "$src" |
	grep -v '/src/util/lazy_curl\.c:' || true)
if [ -z "$hits" ]; then result ok "curl_easy_setopt/getinfo type checks are not turned off"
else result bad "curl_easy_setopt/getinfo type checks are not turned off" "$hits"; fi
exit $rc
