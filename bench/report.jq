# bench/report.jq - bench/measure.sh's raw.tsv (read with -R -s) to
# results.json: the run's info, each figure's title, per figure and tool
# the samples with their median, min and max (or why it failed), and each
# target with the ratio it was judged on.

def median: sort | if length == 0 then null
	elif length % 2 == 1 then .[length / 2 | floor]
	else (.[length / 2 - 1] + .[length / 2]) / 2 end;

# keys of @rows in order of first appearance
def ordered_keys(f): reduce (.[] | f) as $k ([]; if index([$k]) then . else . + [$k] end);

(split("\n") | map(select(length > 0) | split("\t"))) as $rows
| ($rows | map(select(.[0] == "value" or .[0] == "fail"))) as $meas
| ($meas | ordered_keys([.[1], .[2]])) as $keys
| [ $keys[] as [$fig, $tool]
    | ($meas | map(select(.[1] == $fig and .[2] == $tool))) as $m
    | ($m | map(select(.[0] == "value") | .[4] | tonumber)) as $v
    | { figure: $fig, tool: $tool, unit: $m[0][3], n: ($v | length),
        median: ($v | median), min: ($v | min), max: ($v | max),
        samples: $v,
        failures: ($m | map(select(.[0] == "fail") | .[4])) } ]
  | sort_by(.figure) as $results
| def med($fig; $tool): ($results | map(select(.figure == $fig and .tool == $tool))[0].median);
{
  info: ($rows | map(select(.[0] == "info") | {(.[1]): .[2]}) | add),
  titles: ($rows | map(select(.[0] == "title") | {(.[1]): .[2]}) | add),
  results: $results,
  targets: [ $rows[] | select(.[0] == "target")
    | { figure: .[1], tool: .[2], op: .[3], limit: (.[4] | tonumber),
        reference: .[5], aim: .[6] }
    | .value = med(.figure; .tool)
    | .ref_value = (if .reference == "-" then null else med(.figure; .reference) end)
    | .measure = (if .value == null then null
                  elif .reference == "-" then .value
                  elif (.ref_value // 0) == 0 then null
                  else .value / .ref_value end)
    | .met = (if .measure == null then null
              elif .op == ">=" then .measure >= .limit
              else .measure <= .limit end) ]
}
