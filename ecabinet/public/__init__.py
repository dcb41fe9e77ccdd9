"""The public transparency page (server-rendered, no login)."""
