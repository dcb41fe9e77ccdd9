"""Signing credentials: officials' and agency seals' keys, kept encrypted at rest."""
