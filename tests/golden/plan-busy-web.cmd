$S plan --profile $F/profiles/busy-web.json --sysroot $F/opt-host
