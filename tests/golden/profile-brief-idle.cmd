$S profile --brief --from $F/profiles/idle.json
