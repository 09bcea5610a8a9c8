$S rollback --help
