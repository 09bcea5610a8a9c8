$S apply --dry-run --profile $F/profiles/busy-web.json --sysroot $F/opt-host
