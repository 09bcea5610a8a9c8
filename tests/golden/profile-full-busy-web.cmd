$S profile --full --from $F/profiles/busy-web.json
