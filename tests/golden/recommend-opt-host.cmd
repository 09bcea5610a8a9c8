$S recommend --sysroot $F/opt-host --duration 0
