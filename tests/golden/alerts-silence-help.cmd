$S alerts silence --help
