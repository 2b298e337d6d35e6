"""Developer commands (setup, test, develop) and their Python helpers."""
