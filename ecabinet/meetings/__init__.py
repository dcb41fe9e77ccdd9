"""The meetings domain: meetings, agenda, attendance, speakers, votes, annotations,
consultations and minutes. Imports ``ecabinet.core``, ``signing`` and the documents
services (the conclusion notice becomes an outgoing draft); never the web layer."""
