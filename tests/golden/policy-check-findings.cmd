$S policy check findings
