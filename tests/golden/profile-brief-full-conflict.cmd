$S profile --brief --full 2>&1
