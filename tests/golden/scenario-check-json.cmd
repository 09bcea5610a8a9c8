$S scenario check --json $X/api-open.conf | grep -c "\"name\""
