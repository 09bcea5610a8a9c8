$S status 2>&1
