$S plan --help
