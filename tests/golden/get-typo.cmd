$S get vm.swapiness --sysroot $F/opt-host 2>&1
