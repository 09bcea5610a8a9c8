$S bench schedule --help
