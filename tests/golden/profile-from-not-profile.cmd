$S profile --from $F/profiles 2>&1; echo "{\"schema\":\"skytune.plan/1\"}" >p.json; $S profile --from p.json 2>&1
