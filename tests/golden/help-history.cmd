$S history --help
