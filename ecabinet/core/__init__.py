"""Core: settings, database, object store, agencies and users, auth, policy, audit, errors."""
