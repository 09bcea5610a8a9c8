$S rollback 2>&1
