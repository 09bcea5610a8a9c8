$S probe --help
