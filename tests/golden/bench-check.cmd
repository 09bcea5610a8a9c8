$S bench check $F/bench/sleeps.conf
