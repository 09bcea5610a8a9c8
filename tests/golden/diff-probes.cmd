$S diff $F/probes/net-before.json $F/probes/net-after.json
