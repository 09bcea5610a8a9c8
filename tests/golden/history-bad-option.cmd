$S history --lst 2>&1
