$S diff $F/profiles/idle.json $F/profiles/busy-web.json
