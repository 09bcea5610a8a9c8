$S scenario check $X/capacity-steps.conf
