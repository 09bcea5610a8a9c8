$S probe nosuchprobe 2>&1
