$S load --help
