$S bench --help
