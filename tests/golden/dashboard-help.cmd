$S dashboard --help
