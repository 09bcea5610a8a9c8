$S bench list --help
