$S monitor series --store $PWD/none.db 2>&1
