$S plan --profile $F/profiles/idle.json --sysroot $F/opt-host
