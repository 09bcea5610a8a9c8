$S policy --help
