$S report $F/load/fail.json 2>&1
