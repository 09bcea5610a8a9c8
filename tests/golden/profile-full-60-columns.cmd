COLUMNS=60 $S profile --full --from $F/profiles/busy-cpu.json | awk '{ if (length > m) m = length } END { print "widest line:", m; exit m > 60 }'
