$S alerts --store $PWD/none.db
