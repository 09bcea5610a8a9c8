$S probe --url notaurl 2>&1
