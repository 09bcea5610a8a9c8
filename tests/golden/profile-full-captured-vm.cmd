$S profile --full --duration 0 --sysroot $F/captured-vm
