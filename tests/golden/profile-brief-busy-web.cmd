$S profile --brief --from $F/profiles/busy-web.json
