$S monitor --help
