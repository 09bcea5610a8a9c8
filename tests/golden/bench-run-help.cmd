$S bench run --help
