"""What a web process needs to serve searches quickly: its start-up (warm) and the answers it
keeps for everyone who asks the same thing (results_cache)."""
