"""The API's single operation registry; route modules add to it when imported."""

from ecabinet.api.framework import Api

api = Api("/api/v1")
