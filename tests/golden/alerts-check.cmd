$S alerts check $A/host.conf
