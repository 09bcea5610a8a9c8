$S bench compare --help
