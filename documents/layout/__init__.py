"""The Decree 30 page layout of the documents the system prints."""
