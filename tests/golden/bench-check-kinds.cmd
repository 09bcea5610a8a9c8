$S bench check $F/bench/kinds.conf
