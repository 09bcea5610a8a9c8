COLUMNS=30 $S profile --full --from $F/profiles/busy-cpu.json | awk 'NR == 1 { print } { if (length > m) m = length } END { print "widest line:", m; exit m > 40 }'
