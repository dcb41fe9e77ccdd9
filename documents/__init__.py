"""Official documents (e-office): registers, incoming and outgoing flows, exchange, search."""
