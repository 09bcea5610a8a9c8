$S stress --pattern spike --rate 10 --factor lots http://127.0.0.1:9/ 2>&1
