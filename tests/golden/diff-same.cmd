$S diff $F/profiles/idle.json $F/profiles/idle.json --detailed-exitcode
