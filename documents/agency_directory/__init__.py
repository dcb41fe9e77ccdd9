"""The agency directory (danh mục mã định danh): every agency a document may be exchanged
with, inside this deployment or outside it, by its national identification code
(Decision 20/2020/QĐ-TTg), with its level and whether it is reachable electronically.

Filled from a file (:mod:`.importing`) or synchronised from a :class:`.sources.
DirectorySource` (the axis's directory through the exchange adapter); read by the
dispatch dialog (:func:`.lookup.search`) and by dispatch itself, which refuses codes it
does not hold (:func:`.lookup.check_outside`).
"""
