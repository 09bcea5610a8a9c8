$S --help
