"""Socket.IO namespaces served beside the app."""
