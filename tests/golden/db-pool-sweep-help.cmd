$S db pool-sweep --help
