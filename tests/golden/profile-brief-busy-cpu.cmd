$S profile --brief --from $F/profiles/busy-cpu.json
