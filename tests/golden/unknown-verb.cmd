$S profil 2>&1
