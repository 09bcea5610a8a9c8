$S db query 2>&1
