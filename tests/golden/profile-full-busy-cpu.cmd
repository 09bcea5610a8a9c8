$S profile --full --from $F/profiles/busy-cpu.json
