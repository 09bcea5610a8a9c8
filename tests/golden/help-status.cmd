$S status --help
