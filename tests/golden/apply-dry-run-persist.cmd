$S apply --dry-run --persist --profile $F/profiles/nofile-near-limit.json --sysroot $F/opt-host
