$S history 2>&1
