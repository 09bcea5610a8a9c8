$S bench export --help
