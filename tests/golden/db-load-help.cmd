$S db load --help
