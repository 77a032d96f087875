#!/usr/bin/env bash
# bench/report.sh RAW OUTDIR - the benchmark's report from measure.sh's
# samples: OUTDIR/results.json, the table (Markdown, on stdout), a verdict
# per target, and OUTDIR/results.png (gnuplot, one panel per figure).
#
# Table columns: figure, tool, median, min-max over the runs, unit, the
# ratio of the median to the reference of the figure's first target (each
# further target of a row gets a line of its own), the target, and met or
# missed. A tool that never produced a number shows "failed: why".
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RAW=${1:?usage: bench/report.sh RAW OUTDIR}
OUTDIR=${2:?usage: bench/report.sh RAW OUTDIR}
JSON=$OUTDIR/results.json
PNG=$OUTDIR/results.png

jq -R -s -f "$BENCH/report.jq" "$RAW" >"$JSON.part"
mv "$JSON.part" "$JSON"

# one TSV line per table row, formatted by jq, aligned by awk
jq -r '
def num: if . == null then "-"
	elif (. | fabs) >= 100 then (. | round | tostring)
	elif (. | fabs) >= 10 then ((. * 10 | round) / 10 | tostring)
	else ((. * 100 | round) / 100 | tostring) end;
def optext: .;
def ttext: (.aim + " " + (.op | optext) + " " + (.limit | tostring)
	+ (if .reference == "-" then "" else "x " + .reference end));
def verdict: if .met == null then "no data" elif .met then "met" else "missed" end;
.targets as $t
| .results as $r
| (["figure", "tool", "median", "min-max", "unit", "ratio", "target", "verdict"] | @tsv),
  (.results[] as $row
   | ($t | map(select(.figure == $row.figure and .tool == $row.tool))) as $mine
   | ($t | map(select(.figure == $row.figure and .reference != "-"))[0].reference // null) as $fref
   | ($r | map(select(.figure == $row.figure and .tool == $fref))[0].median // null) as $fmed
   | (if $row.n == 0 then
        [$row.figure, $row.tool,
         "failed: " + ($row.failures[0] // "no result" | if length > 70 then .[:67] + "..." else . end),
         "", $row.unit]
      else
        [$row.figure, $row.tool, ($row.median | num),
         ($row.min | num) + "-" + ($row.max | num)
           + (if ($row.failures | length) > 0 then " (" + ($row.failures | length | tostring) + " failed)" else "" end),
         $row.unit]
      end) as $head
   | if ($mine | length) == 0 then
       $head + [(if $fmed != null and $fmed != 0 and $row.median != null
                 then ($row.median / $fmed | num) + "x" else "" end), "", ""]
     else
       ($mine | to_entries[]
        | (if .key == 0 then $head else ["", "", "", "", ""] end)
          + [(if .value.reference == "-" or .value.measure == null then ""
              else (.value.measure | num) + "x" end),
             (.value | ttext), (.value | verdict)])
     end
   | @tsv)' "$JSON" |
awk -F'\t' '
	{ for (i = 1; i <= NF; i++) { cell[NR, i] = $i; w = length($i)
	  if (w > width[i]) width[i] = w } if (NF > nf) nf = NF }
	END {
		for (r = 1; r <= NR; r++) {
			line = "|"
			for (i = 1; i <= nf; i++)
				line = line sprintf(" %-" width[i] "s |", cell[r, i])
			print line
			if (r == 1) {
				line = "|"
				for (i = 1; i <= nf; i++) {
					dash = ""
					for (j = 0; j < width[i] + 2; j++) dash = dash "-"
					line = line dash "|"
				}
				print line
			}
		}
	}'

echo
jq -r '"Machine: " + .info.machine + ", " + .info.memory + "; load at start " + .info.load + "; " + .info.date,
	"Versions: " + .info.qbox + "; " + .info.peers,
	"Config: " + .info.config,
	"CPU steal (time the hypervisor gave to other machines) during the run: " + (.info.steal // "not measured")' "$JSON"
echo
echo "Verdict per target:"
jq -r '
def num: if . == null then "-" else ((. * 100 | round) / 100 | tostring) end;
.titles as $titles
| .targets[]
| "  " + (if .met == null then "NO DATA" elif .met then "MET    " else "MISSED " end)
  + " " + .figure + " " + ($titles[.figure] // "") + ": " + .tool + " "
  + (if .reference == "-" then (.value | num)
     elif .measure == null then "vs " + .reference + ": no number"
     else (.measure | num) + "x " + .reference end)
  + " (" + .aim + ": " + (if .op == ">=" then ">= " else "<= " end) + (.limit | tostring)
  + (if .reference == "-" then "" else "x" end) + ")"' "$JSON"

# the chart: one panel per figure, bars at the median (qbox in the first
# colour, its peers in the second), whiskers from min to max
if ! command -v gnuplot >/dev/null; then
	echo "gnuplot is missing (Debian: gnuplot-nox): no chart" >&2
	exit 0
fi
plotdir=$(mktemp -d)
trap 'rm -rf "$plotdir"' EXIT
figs=$(jq -r '[.results[] | select(.n > 0) | .figure] | unique | .[]' "$JSON")
nfig=$(wc -w <<<"$figs")
[ "$nfig" -gt 0 ] || exit 0
cols=3
[ "$nfig" -ge 3 ] || cols=$nfig
rows=$(((nfig + cols - 1) / cols))
{
	echo "set terminal png size $((cols * 600)),$((rows * 420)) font ',9'"
	echo "set output '$PNG'"
	echo "set style fill solid 0.6 border -1"
	echo "set boxwidth 0.6"
	echo "set yrange [0:*]"
	echo "set grid ytics"
	echo "set xtics rotate by -25"
	echo "set multiplot layout $rows,$cols"
	for f in $figs; do
		jq -r --arg f "$f" '.results[] | select(.figure == $f and .n > 0)
			| "\"" + .tool + "\" \(.median) \(.min) \(.max) "
			  + (if .tool | startswith("qbox") then "1" else "2" end)' \
			"$JSON" >"$plotdir/$f.dat"
		title=$(jq -r --arg f "$f" '(.titles[$f] // $f) | gsub("\""; "")' "$JSON")
		unit=$(jq -r --arg f "$f" '[.results[] | select(.figure == $f)][0].unit' "$JSON")
		echo "set title \"$f: $title\" noenhanced"
		echo "set ylabel \"$unit\" noenhanced"
		echo "plot '$plotdir/$f.dat' using 0:2:5:xtic(1) with boxes lc variable notitle, '' using 0:2:3:4 with yerrorbars lc black pt 0 notitle"
	done
	echo "unset multiplot"
} >"$plotdir/plot.gp"
if gnuplot "$plotdir/plot.gp" 2>"$plotdir/err"; then
	echo
	echo "Wrote $JSON and $PNG"
else
	echo "gnuplot failed: $(tail -1 "$plotdir/err")" >&2
fi
