$S load merge $F/load/pass.json $F/load/fail.json 2>&1
