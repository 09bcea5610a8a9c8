COLUMNS=60 $S profile --brief --from $F/profiles/busy-cpu.json
