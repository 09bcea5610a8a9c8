$S policy list
