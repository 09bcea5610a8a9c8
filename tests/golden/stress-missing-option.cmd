$S stress --pattern breakpoint http://127.0.0.1:9/ 2>&1
