$S profile --help
