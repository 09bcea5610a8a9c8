$S alerts --help
