$S recommend --profile $F/profiles/busy-web.json
