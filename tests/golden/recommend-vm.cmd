$S recommend --sysroot $F/captured-vm --duration 0
