$S apply --help
