$S policy check balanced web-server
