$S apply --dry-run --plan $F/documents/plan-busy-web.json --sysroot $F/opt-host
