$S db lod 2>&1
