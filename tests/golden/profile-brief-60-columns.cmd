COLUMNS=60 $S profile --brief --from $F/profiles/busy-cpu.json | awk '{ print } length > 60 { w = 1 } END { exit w }'
