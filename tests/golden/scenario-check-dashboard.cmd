$S scenario check $X/dashboard.conf
