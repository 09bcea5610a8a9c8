$S bench baseline --help
