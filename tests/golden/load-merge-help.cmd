$S load merge --help
