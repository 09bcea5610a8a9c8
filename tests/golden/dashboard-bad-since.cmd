$S dashboard --json --since 2s
