$S get --all --sysroot $F/captured-vm
