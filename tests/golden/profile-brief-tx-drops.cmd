$S profile --brief --from $F/profiles/tx-drops.json
