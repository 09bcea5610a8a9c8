$S profile --brief --duration 0 --sysroot $F/captured-vm
