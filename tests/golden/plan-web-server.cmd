$S plan --policy web-server --profile $F/profiles/busy-web.json --sysroot $F/opt-host
