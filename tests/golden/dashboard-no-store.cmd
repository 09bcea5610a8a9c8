$S dashboard --store $PWD/none.db --html $PWD/out.html
