$S help plan
