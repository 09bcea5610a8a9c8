$S bench import --help
