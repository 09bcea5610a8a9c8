$S profile --from nope.json 2>&1
