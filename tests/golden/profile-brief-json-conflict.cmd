$S profile --brief --json 2>&1
