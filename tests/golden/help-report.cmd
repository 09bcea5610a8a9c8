$S report --help
