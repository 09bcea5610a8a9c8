$S report $F/profiles/busy-cpu.json --html out.html 2>&1; test -e out.html && echo 'out.html written'
