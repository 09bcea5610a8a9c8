$S db query --help
