$S db advise --help
