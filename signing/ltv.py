"""PAdES B-LT and B-LTA: the document security store (DSS) and document time-stamps.

B-LT keeps, in a DSS dictionary added by an incremental update, every certificate of
the signers' and time-stamp authorities' chains with an OCSP response or CRL for each
one that can be checked, so the signatures can be validated after the certificates
expire or the responders go away. B-LTA then time-stamps the whole file (a
/DocTimeStamp); repeating "DSS + document time-stamp" later keeps the archive alive.
"""

from __future__ import annotations

import hashlib
from typing import Any, cast

from cryptography import x509
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
)

from signing.embedded import EmbeddedSignature, find_signatures
from signing.errors import SigningError
from signing.fields import form_fields, prepare
from signing.pdfio import open_pdf, serialize
from signing.revocation import Fetcher, ValidationData, gather
from signing.specs import FieldSpec
from signing.tsp import TimestampAuthority
from signing.update import Update

DOC_TIMESTAMP_SIZE = 20_000
"""Bytes reserved for a document time-stamp token (TSTInfo + the TSA's certificates)."""


def _material(sig: EmbeddedSignature) -> tuple[list[x509.Certificate], list[x509.Certificate]]:
    """(leaves, pool): the signer and TSA certificates, and every certificate carried."""
    leaves: list[x509.Certificate] = []
    pool: list[x509.Certificate] = []
    signed = sig.signed_data
    if signed is None:
        return leaves, pool
    for part in (signed, signed.timestamp_token):
        if part is None:
            continue
        if part.signer_certificate is not None:
            leaves.append(part.signer_certificate)
        pool.extend(part.certificates)
    return leaves, pool


def validation_data(data: bytes, fetcher: Fetcher) -> ValidationData:
    """The DSS content every signature and document time-stamp of ``data`` needs."""
    leaves: list[x509.Certificate] = []
    pool: list[x509.Certificate] = []
    for sig in find_signatures(open_pdf(data), data):
        found, carried = _material(sig)
        leaves += found
        pool += carried
    if not leaves:
        raise SigningError(
            "ltv.no_signature",
            "Tệp không có chữ ký số nào để bổ sung dữ liệu kiểm tra.",
            "The file has no signature to add validation data for.",
        )
    return gather(leaves, pool, fetcher)


def add_validation_data(data: bytes, fetcher: Fetcher) -> bytes:
    """Append a DSS with the chains and revocation data of every signature (B-LT)."""
    return add_dss(data, validation_data(data, fetcher))


def add_dss(data: bytes, extra: ValidationData) -> bytes:
    """Append (or extend) the DSS with ``extra``; streams already present are reused."""
    reader = open_pdf(data)
    update = Update(data, reader)
    catalog = update.catalog
    dss_raw = catalog.raw_get("/DSS") if "/DSS" in catalog else None
    dss = DictionaryObject(cast(Any, dss_raw.get_object())) if dss_raw is not None else None
    dss = dss if dss is not None else DictionaryObject({NameObject("/Type"): NameObject("/DSS")})
    changed = False
    for key, blobs in (("/Certs", extra.certs), ("/OCSPs", extra.ocsps), ("/CRLs", extra.crls)):
        existing = cast(list[Any], cast(Any, dss.get(key)) or [])
        have = {hashlib.sha256(ref.get_object().get_data()).digest() for ref in existing}
        array = ArrayObject(existing)
        for blob in blobs:
            if hashlib.sha256(blob).digest() in have:
                continue
            have.add(hashlib.sha256(blob).digest())
            num = update.add(f"<</Length {len(blob)}>>stream\n".encode() + blob + b"\nendstream")
            array.append(update.ref(num))
            changed = True
        if array:
            dss[NameObject(key)] = array
    if not changed:
        return data
    if isinstance(dss_raw, IndirectObject):
        update.replace(dss_raw, dss)
    else:
        new_catalog = DictionaryObject(catalog)
        new_catalog[NameObject("/DSS")] = update.ref(update.add(serialize(dss)))
        _add_esic_extension(new_catalog)
        update.replace(update.root_ref, new_catalog)
    out, _ = update.build()
    return data + out


def _add_esic_extension(catalog: DictionaryObject) -> None:
    """Declare the ETSI extension (ESIC level 5) that introduced the DSS, as PAdES asks
    of PDF 1.7 files."""
    extensions = catalog.get("/Extensions")
    extensions = DictionaryObject(cast(Any, extensions.get_object())) if extensions else None
    extensions = extensions if extensions is not None else DictionaryObject()
    if "/ESIC" not in extensions:
        esic = DictionaryObject()
        esic[NameObject("/BaseVersion")] = NameObject("/1.7")
        esic[NameObject("/ExtensionLevel")] = NumberObject(5)
        extensions[NameObject("/ESIC")] = esic
        catalog[NameObject("/Extensions")] = extensions


def timestamp_field_name(data: bytes) -> str:
    names = {f.name for f in form_fields(open_pdf(data))}
    n = 1
    while f"DocTimeStamp{n}" in names:
        n += 1
    return f"DocTimeStamp{n}"


def add_document_timestamp(data: bytes, tsa: TimestampAuthority) -> bytes:
    """Time-stamp the whole file with a /DocTimeStamp (ETSI.RFC3161) field."""
    spec = FieldSpec(
        name=timestamp_field_name(data), timestamp=True, contents_size=DOC_TIMESTAMP_SIZE
    )
    prepared = prepare(data, spec)
    digest = hashlib.sha256()
    for part in prepared.covered():
        digest.update(part)
    return prepared.embed(tsa.timestamp(digest.digest()))


def extend_to_lta(data: bytes, tsa: TimestampAuthority, fetcher: Fetcher) -> bytes:
    """Raise a signed file to B-LTA: DSS for every signature and document time-stamp
    already there (including an earlier archive time-stamp), then a new document
    time-stamp over it all."""
    return add_document_timestamp(add_validation_data(data, fetcher), tsa)
