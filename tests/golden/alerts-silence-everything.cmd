$S alerts silence severity!=x --store /nonexistent/s.db
