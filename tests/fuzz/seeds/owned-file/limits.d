# Written by skytune-helper; skytune rollback restores or removes this file.
alice soft memlock 64
alice hard memlock 64
