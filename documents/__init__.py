"""Official documents (văn bản): registers, incoming and outgoing flows, numbering,
dispatch and edXML exchange, search, statistics, notifications and register exports.

Domain code: it imports ``ecabinet.core`` and ``signing`` and never the web layer.
"""
