"""The demo province: data, a demo certificate authority and sample documents."""
