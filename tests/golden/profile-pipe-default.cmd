$S profile --duration 0 --sysroot $F/opt-host
