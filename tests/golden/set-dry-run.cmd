$S set vm.swappiness=10 io_scheduler:vda=mq-deadline --dry-run --sysroot $F/opt-host
