$S set vm.swappiness=300 --dry-run --sysroot $F/opt-host 2>&1
