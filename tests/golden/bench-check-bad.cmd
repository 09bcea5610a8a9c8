$S bench check $F/bench/bad-gate.conf 2>&1
