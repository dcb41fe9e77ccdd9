"""The demo province: data, a demo certificate authority and sample documents."""

DEMO_PIN = "135790"
"""The signing PIN of every demo credential (each leader's, each agency's seal): printed
by ``make run`` with the logins; demo only."""
