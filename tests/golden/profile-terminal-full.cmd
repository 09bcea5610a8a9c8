script -qec "$S profile --full --duration 0 --sysroot $F/captured-vm" /dev/null | tr -d "\r" | head -12
