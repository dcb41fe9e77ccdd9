"""The exchange of documents between systems (liên thông văn bản): edXML packages of
issued documents, signed messages, the outbox and inbox, the axis adapters, statuses
and hops, the console and the electronic-exchange share (decisions 0031-0033)."""
