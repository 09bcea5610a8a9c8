$S scenario check $F/load/scenario-bad.conf 2>&1
