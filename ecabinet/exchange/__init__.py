"""Taking in what other systems send: one receiving path for a message pushed to the
exchange endpoint and for one pulled from the national axis (decisions 0032, 0034)."""
