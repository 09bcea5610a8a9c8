$S stress --help
