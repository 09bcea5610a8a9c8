$S profile --brief --from $F/profiles/nofile-near-limit.json
