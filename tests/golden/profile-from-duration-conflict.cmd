$S profile --from $F/profiles/idle.json --duration 1 2>&1
