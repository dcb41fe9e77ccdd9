"""PAdES signing and validation of PDF bytes. A library: no web, no database."""
