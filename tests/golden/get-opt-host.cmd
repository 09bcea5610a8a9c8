$S get vm.swappiness /proc/sys/net/core/somaxconn io_scheduler:vda read_ahead_kb:vda --sysroot $F/opt-host
