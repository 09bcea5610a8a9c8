$S report $F/load/fail.json --junit - | grep -c "<testcase"
