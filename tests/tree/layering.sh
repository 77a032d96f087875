#!/usr/bin/env bash
# tests/tree/layering.sh - the folders keep their order, and no two modules
# lean on each other
#
# The Makefile's LAYERS lists qbox's folders from the command line down to
# common/. A file includes headers of its own folder and of the folders
# below it, never of one above (the folder's "what may I use" is the line
# of LAYERS under it). And no two modules (a .c with its .h, in any
# folder) include each other's headers, directly or around a circle: that
# would be two concerns that are one. Includes of qbox's own are written
# from the top of the tree ("netns/nl.h"), so each names its folder.
set -u
cd "$(dirname "$0")/../.."
read -ra layers <<<"$(make -s --no-print-directory print-layers)"
declare -A rank
for i in "${!layers[@]}"; do rank[${layers[i]}]=$i; done
files=()
for d in "${layers[@]}"; do files+=("$d"/*.[ch]); done

bad=0
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
while IFS=: read -r file line inc; do
	from=${file%%/*} to=${inc%%/*}
	if [ -z "${rank[$to]:-}" ] || [ "$to" = "$inc" ]; then
		echo "FAIL: layering: $file:$line includes \"$inc\": not \"FOLDER/FILE\" of a folder in LAYERS"
		bad=1
	elif [ "${rank[$to]}" -lt "${rank[$from]}" ]; then
		echo "FAIL: layering: $file:$line includes $inc, from $to/, which is above $from/"
		bad=1
	fi
	# module to module: a .c and its .h are one
	[ "${file%.*}" = "${inc%.*}" ] || echo "${file%.*} ${inc%.*}" >>"$edges"
done < <(grep -Hn '^#include "' "${files[@]}" | sed 's/:#include "\([^"]*\)".*/:\1/')
[ "$bad" -eq 0 ] && echo "PASS: layering: every include of ${#files[@]} files is of its folder or one below (${layers[*]})"

# tsort names a circle when there is one
loop=$(tsort "$edges" 2>&1 >/dev/null | sed -n 's/^tsort: //p' | grep -v 'input contains a loop' | tr '\n' ' ')
if [ -n "$loop" ]; then
	echo "FAIL: layering: modules include each other around a circle: $loop"
else
	echo "PASS: layering: no two modules include each other, directly or around a circle ($(wc -l <"$edges") includes)"
fi
