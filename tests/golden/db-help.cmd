$S db --help
