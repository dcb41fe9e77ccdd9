"""edXML packages: round trips, a hand-written sample, and every refusal."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import random
from pathlib import Path

import pytest

from documents.edxml import (
    NAMESPACE,
    Attachment,
    BusinessDocType,
    DocumentMessage,
    Organ,
    ResponseFor,
    Trace,
    build_document,
    parse_document,
)
from documents.edxml_status import StatusCode, StatusMessage, build_status, parse_status
from ecabinet.core.errors import InvalidInput

DATA = Path(__file__).parent / "data"
ICT = dt.timezone(dt.timedelta(hours=7))
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n\x00\xff\xfe" + bytes(range(256))

SENDER = Organ(
    organ_id="000.00.00.H01",
    name="Ủy ban nhân dân tỉnh Mẫu",
    in_charge="Chính phủ",
    address="Số 1 đường Lê Lợi, phường Mỹ Long",
    email="vanthu@example.gov.vn",
    telephone="0296 000 000",
    fax="0296 000 001",
    website="https://example.gov.vn",
)


def message(**changes: object) -> DocumentMessage:
    base = DocumentMessage(
        sender=SENDER,
        recipients=(
            Organ(organ_id="000.01.01.H01", name="Sở Nội vụ"),
            Organ(organ_id="000.02.01.H01", name="Sở Tài chính", in_charge="UBND tỉnh"),
            Organ(organ_id="000.00.00.G06", name="Bộ Nội vụ"),
        ),
        code_number="12",
        code_notation="QĐ-UBND",
        place="Long Xuyên",
        promulgation_date=dt.date(2024, 3, 5),
        type_code=1,
        type_detail=2,
        type_name="Quyết định",
        subject='Về việc điều động cán bộ; đề nghị <khẩn> & "đúng hạn"',
        content="Nội dung tóm tắt\nnhiều dòng\r\nvà ký tự đ Đ ư ơ",
        signer_competence="TM.",
        signer_position="Chủ tịch",
        signer_name="Nguyễn Văn Đức",
        due_date=dt.date(2024, 4, 1),
        to_places=("Như trên;", "Lưu: VT, NC."),
        priority=2,
        sphere_of_promulgation="Lưu hành nội bộ",
        typer_notation="NVA",
        promulgation_amount=10,
        page_amount=3,
        direction=True,
        appendixes=("Phụ lục I", "Phụ lục II"),
        steering_type=1,
        business_doc_type=BusinessDocType.RECALL,
        business_reason="Sai sót về thể thức",
        business_info="000.00.00.H01,2024/03/01,10/QĐ-UBND",
        response_for=(
            ResponseFor(
                organ_id="000.01.01.H01",
                code="45/TTr-SNV",
                promulgation_date=dt.date(2024, 2, 20),
                document_id="000.01.01.H01,2024/02/20,45/TTr-SNV",
            ),
        ),
        trace=(
            Trace(organ_id="000.00.00.H01", timestamp=dt.datetime(2024, 3, 5, 9, 30, tzinfo=ICT)),
            Trace(
                organ_id="000.00.00.G22",
                timestamp=dt.datetime(2024, 3, 5, 2, 31, 5, 123456, tzinfo=dt.UTC),
            ),
        ),
        attachments=(
            Attachment(name="QD12.pdf", content_type="application/pdf", data=PDF),
            Attachment(
                name="Phụ lục đính kèm.pdf",
                content_type="application/pdf",
                data=PDF[::-1],
                description="Phụ lục",
            ),
            Attachment(name="bang-tinh.xlsx", content_type="application/vnd.ms-excel", data=b"x"),
        ),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def refused(code: str, data: bytes, **kwargs: int) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_document(data, **kwargs)
    assert caught.value.code == code, caught.value.as_dict()
    assert caught.value.vi and caught.value.en and caught.value.vi != caught.value.en
    assert "element" in caught.value.details
    return caught.value


# ------------------------------------------------------------ round trips


def test_round_trip_keeps_every_field() -> None:
    original = message()
    data = build_document(original)
    parsed = parse_document(data)
    assert parsed == original
    assert parsed.document_id == "000.00.00.H01,2024/03/05,12/QĐ-UBND"
    assert parsed.declared_document_id == original.document_id
    assert [a.data for a in parsed.attachments] == [PDF, PDF[::-1], b"x"]
    assert [a.content_id for a in parsed.attachments] == ["cid:1", "cid:2", "cid:3"]


def test_round_trip_of_a_minimal_message() -> None:
    minimal = DocumentMessage(
        sender=Organ(organ_id="000.00.00.H01"),
        recipients=(Organ(organ_id="000.00.00.H02"),),
        code_number="1",
        code_notation="",
        promulgation_date=dt.date(2024, 1, 1),
        subject="Đ",
        attachments=(Attachment(name="a", content_type="text/plain", data=b"\x00"),),
    )
    assert parse_document(build_document(minimal)) == minimal


@pytest.mark.parametrize("kind", list(BusinessDocType))
def test_round_trip_of_each_business_type(kind: BusinessDocType) -> None:
    original = message(business_doc_type=kind, response_for=(), trace=(), due_date=None)
    assert parse_document(build_document(original)) == original


def test_output_is_utf8_with_declaration_and_the_standard_spelling() -> None:
    data = build_document(message())
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    text = data.decode("utf-8")
    assert f'xmlns="{NAMESPACE}"' in text
    assert "<edXML:Bussiness>" in text and "<edXML:BussinessDocType>1<" in text
    assert "<edXML:PromulgationDate>2024/03/05<" in text
    assert "<edXML:Timestamp>2024-03-05T09:31:05.123456+07:00<" in text
    assert "<edXML:Direction>true<" in text
    assert "Signature" not in text
    assert "Nguyễn Văn Đức" in text


def test_explicit_content_ids_are_kept_and_duplicates_refused() -> None:
    a = Attachment(name="a.pdf", content_type="application/pdf", data=b"1", content_id="cid:x")
    b = Attachment(name="b.pdf", content_type="application/pdf", data=b"2", content_id="y")
    parsed = parse_document(build_document(message(attachments=(a, b))))
    assert [x.content_id for x in parsed.attachments] == ["cid:x", "y"]
    twin = dataclasses.replace(b, content_id="x")
    with pytest.raises(InvalidInput) as caught:
        build_document(message(attachments=(a, twin)))
    assert caught.value.code == "edxml.bad_attachment"
    assert caught.value.details["reason"] == "duplicate"


# ------------------------------------------------------------ a sample not built by us


def test_hand_written_sample_parses_to_the_expected_fields() -> None:
    parsed = parse_document((DATA / "edxml_sample.xml").read_bytes())
    assert parsed.sender.organ_id == "000.00.00.H01"
    assert parsed.sender.name == "Ủy ban nhân dân tỉnh Mẫu"
    assert parsed.sender.in_charge == "Chính phủ"
    assert parsed.sender.website == "https://example.gov.vn"
    assert [r.organ_id for r in parsed.recipients] == ["000.01.01.H01", "000.02.01.H01"]
    assert parsed.recipients[1].name == "Sở Tài chính"
    assert (parsed.code_number, parsed.code_notation) == ("125", "QĐ-UBND")
    assert parsed.place == "Long Xuyên"
    assert parsed.promulgation_date == dt.date(2024, 3, 5)
    assert (parsed.type_code, parsed.type_detail, parsed.type_name) == (1, 2, "Quyết định")
    assert parsed.subject == "Về việc phê duyệt kế hoạch đào tạo năm 2024"
    assert parsed.content == ""
    assert parsed.signer_competence == "TM. ỦY BAN NHÂN DÂN"
    assert parsed.signer_position == "Chủ tịch"
    assert parsed.signer_name == "Nguyễn Văn Đức"
    assert parsed.due_date == dt.date(2024, 4, 30)
    assert parsed.to_places == ("Như trên", "Lưu: VT")
    assert parsed.priority == 1
    assert parsed.sphere_of_promulgation == "Lưu hành nội bộ"
    assert parsed.typer_notation == "TVC"
    assert (parsed.promulgation_amount, parsed.page_amount) == (5, 3)
    assert parsed.direction is True
    assert parsed.appendixes == ("Phụ lục I",)
    assert parsed.steering_type == 0
    assert parsed.response_for == (
        ResponseFor(
            organ_id="000.01.01.H01",
            code="45/TTr-SNV",
            promulgation_date=dt.date(2024, 2, 20),
            document_id="000.01.01.H01,2024/02/20,45/TTr-SNV",
        ),
    )
    # A time without offset is read as Vietnam time.
    assert parsed.trace == (
        Trace(organ_id="000.00.00.H01", timestamp=dt.datetime(2024, 3, 5, 9, 30, tzinfo=ICT)),
    )
    assert parsed.business_doc_type == BusinessDocType.NEW
    assert parsed.document_id == parsed.declared_document_id
    (attachment,) = parsed.attachments
    assert attachment.name == "QD125.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.description == "Quyết định số 125"
    assert attachment.content_id == "5d1f3c2a"
    assert attachment.data.startswith(b"%PDF-1.4\n") and attachment.data.endswith(b"%%EOF\n")


def test_business_spelled_business_is_also_read() -> None:
    text = build_document(message()).decode()
    text = text.replace("Bussiness", "Business")
    assert parse_document(text.encode()).business_doc_type == BusinessDocType.RECALL


# ------------------------------------------------------------ refusals


def edit(old: str, new: str, count: int = 1) -> bytes:
    text = build_document(message()).decode()
    assert old in text, old
    return text.replace(old, new, count).encode()


def drop(tag: str) -> bytes:
    """The built package without the first ``tag`` element (prefixed) and its content."""
    text = build_document(message()).decode()
    start = text.index(f"<{tag}>")
    end = text.index(f"</{tag}>", start) + len(f"</{tag}>")
    return (text[:start] + text[end:]).encode()


def test_refuses_over_the_size_limit_before_parsing() -> None:
    error = refused("edxml.too_large", b"<not even xml", max_bytes=5)
    assert error.details["limit_bytes"] == 5
    assert parse_document(build_document(message()), max_bytes=1_000_000)


def test_refuses_a_wrong_root() -> None:
    refused("edxml.wrong_root", f'<Envelope xmlns="{NAMESPACE}"/>'.encode())


@pytest.mark.parametrize(
    "xml",
    [
        b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2018"/>',
        b"<edXML/>",
        build_document(message()).replace(NAMESPACE.encode(), b"urn:other"),
    ],
)
def test_refuses_a_wrong_namespace(xml: bytes) -> None:
    refused("edxml.namespace", xml)


@pytest.mark.parametrize(
    ("data", "element"),
    [
        (drop("edXML:From"), "edXMLEnvelope/edXMLHeader/MessageHeader/From"),
        (
            edit("<edXML:OrganId>000.00.00.H01</", "<edXML:OrganId> </"),
            "edXMLEnvelope/edXMLHeader/MessageHeader/From/OrganId",
        ),
        (drop("edXML:Code"), "edXMLEnvelope/edXMLHeader/MessageHeader/Code"),
        (drop("edXML:Subject"), "edXMLEnvelope/edXMLHeader/MessageHeader/Subject"),
        (
            edit("<edXML:CodeNumber>12</", "<edXML:CodeNumber></"),
            "edXMLEnvelope/edXMLHeader/MessageHeader/Code/CodeNumber",
        ),
        (
            drop("edXML:PromulgationDate"),
            "edXMLEnvelope/edXMLHeader/MessageHeader/PromulgationInfo/PromulgationDate",
        ),
        (drop("AttachmentEncoded"), "AttachmentEncoded/Attachment"),
        (drop("edXML:edXMLHeader"), "edXMLEnvelope/edXMLHeader"),
        (drop("edXML:edXMLEnvelope"), "edXMLEnvelope"),
        (drop("ContentTransferEncoded"), "AttachmentEncoded/Attachment/ContentTransferEncoded"),
    ],
)
def test_refuses_a_missing_required_element(data: bytes, element: str) -> None:
    assert refused("edxml.missing", data).details["element"] == element


def test_refuses_a_document_without_recipients() -> None:
    text = build_document(message()).decode()
    while "<edXML:To>" in text:
        start = text.index("<edXML:To>")
        text = text[:start] + text[text.index("</edXML:To>", start) + len("</edXML:To>") :]
    error = refused("edxml.missing", text.encode())
    assert error.details["element"] == "edXMLEnvelope/edXMLHeader/MessageHeader/To"


@pytest.mark.parametrize("value", ["2024/13/01", "2024/02/30", "hôm qua", "24/3/5", "2024.03.05"])
def test_refuses_a_malformed_date(value: str) -> None:
    error = refused(
        "edxml.bad_date",
        edit("<edXML:PromulgationDate>2024/03/05<", f"<edXML:PromulgationDate>{value}<"),
    )
    assert error.details["element"].endswith("PromulgationInfo/PromulgationDate")


def test_refuses_a_malformed_due_date_and_timestamp() -> None:
    refused("edxml.bad_date", edit("<edXML:DueDate>2024/04/01<", "<edXML:DueDate>sớm<"))
    error = refused(
        "edxml.bad_timestamp",
        edit("<edXML:Timestamp>2024-03-05T09:30:00+07:00<", "<edXML:Timestamp>9h sáng<"),
    )
    assert error.details["element"].endswith("TraceHeader/Timestamp")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("<edXML:Priority>2<", "<edXML:Priority>cao<"),
        ("<edXML:PageAmount>3<", "<edXML:PageAmount>-3<"),
        ("<edXML:PageAmount>3<", "<edXML:PageAmount>３<"),
        ("<edXML:PageAmount>3<", "<edXML:PageAmount>1_0<"),
        ("<edXML:Type>1<", "<edXML:Type>1.5<"),
        ("<edXML:SteeringType>1<", "<edXML:SteeringType>99999999999999999999<"),
        ("<edXML:BussinessDocType>1<", "<edXML:BussinessDocType>7<"),
    ],
)
def test_refuses_a_non_integer_where_an_integer_is_required(old: str, new: str) -> None:
    refused("edxml.bad_number", edit(old, new))


def test_refuses_a_bad_boolean() -> None:
    refused("edxml.bad_boolean", edit("<edXML:Direction>true<", "<edXML:Direction>có<"))


def test_refuses_undecodable_base64() -> None:
    error = refused(
        "edxml.bad_attachment", edit("<ContentTransferEncoded>", "<ContentTransferEncoded>!!")
    )
    assert error.details["reason"] == "base64"
    assert error.details["element"] == "AttachmentEncoded/Attachment/ContentTransferEncoded"


def test_base64_with_line_breaks_is_accepted() -> None:
    text = build_document(message()).decode()
    start = text.index("<ContentTransferEncoded>") + len("<ContentTransferEncoded>")
    wrapped = text[:start] + "\n" + text[start : start + 8] + "\r\n  " + text[start + 8 :]
    assert parse_document(wrapped.encode()) == message()


def test_refuses_an_empty_attachment() -> None:
    data = build_document(message(attachments=(Attachment(name="a", content_type="x", data=b"1"),)))
    text = data.decode().replace("<ContentTransferEncoded>MQ==<", "<ContentTransferEncoded><")
    error = refused("edxml.bad_attachment", text.encode())
    assert error.details["reason"] == "empty"


def test_refuses_a_manifest_reference_without_its_attachment() -> None:
    error = refused(
        "edxml.bad_attachment", edit("<edXML:ContentId>cid:2<", "<edXML:ContentId>cid:9<")
    )
    assert error.details["reason"] == "unmatched"
    assert error.details["element"].endswith("edXMLManifest/Reference/ContentId")


def test_refuses_two_attachments_with_one_content_id() -> None:
    error = refused("edxml.bad_attachment", edit("<ContentId>cid:2<", "<ContentId>cid:1<"))
    assert error.details["reason"] == "duplicate"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\vanthu\\QD12.pdf", "QD12.pdf"),
        ("/tmp/x/QĐ 12.pdf", "QĐ 12.pdf"),
    ],
)
def test_file_names_are_reduced_to_their_last_component(name: str, expected: str) -> None:
    text = build_document(message()).decode().replace("QD12.pdf", name)
    assert parse_document(text.encode()).attachments[0].name == expected


@pytest.mark.parametrize("name", ["", "   ", "dir/", "a/..", "C:\\"])
def test_refuses_a_file_name_left_empty(name: str) -> None:
    text = build_document(message()).decode().replace("QD12.pdf", name)
    assert refused("edxml.bad_attachment", text.encode()).details["reason"] == "name"


def test_xml_dsig_signature_is_ignored() -> None:
    signature = (
        '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo/>'
        "<SignatureValue>QUJD</SignatureValue></Signature>"
    )
    data = edit("</edXML:TraceHeaderList>", "</edXML:TraceHeaderList>" + signature)
    assert parse_document(data) == message()


# ------------------------------------------------------------ hostile input

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&lol4;</edXML>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&xxe;</edXML>
"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE edXML SYSTEM "http://example.invalid/edxml.dtd">
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>
"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD])
def test_refuses_dtds_and_entities_without_expanding_them(data: bytes) -> None:
    refused("edxml.forbidden", data)
    with pytest.raises(InvalidInput):
        parse_status(data)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\x01\x02",
        b"\xff\xfe<\x00e\x00",
        b'<?xml version="1.0" encoding="klingon"?><edXML/>',
        b'<?xml version="1.0" encoding="utf-16"?><edXML/>',
        b"<edXML",
        "<edXML>\ud800</edXML>".encode("utf-8", "surrogatepass"),
    ],
)
def test_refuses_malformed_bytes(data: bytes) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_document(data)
    assert caught.value.code == "edxml.malformed"


def test_random_garbage_is_always_invalid_input() -> None:
    rng = random.Random(1022016)
    for _ in range(300):
        data = rng.randbytes(rng.randrange(0, 400))
        with pytest.raises(InvalidInput):
            parse_document(data)
        with pytest.raises(InvalidInput):
            parse_status(data)


def test_every_truncation_of_a_package_is_invalid_input() -> None:
    data = build_document(message(attachments=message().attachments[2:]))
    for end in range(0, len(data) - 1, 3):
        with pytest.raises(InvalidInput):
            parse_document(data[:end])


def test_random_corruptions_never_crash() -> None:
    data = build_document(message())
    rng = random.Random(7)
    for _ in range(300):
        corrupt = bytearray(data)
        for _ in range(rng.randrange(1, 6)):
            corrupt[rng.randrange(len(corrupt))] = rng.randrange(256)
        with contextlib.suppress(InvalidInput):
            parse_document(bytes(corrupt))


# ------------------------------------------------------------ building refuses too


def test_building_refuses_text_xml_cannot_carry() -> None:
    with pytest.raises(InvalidInput) as caught:
        build_document(message(subject="bell \x07"))
    assert caught.value.code == "edxml.bad_text"
    assert caught.value.details["element"] == "Subject"


def test_value_objects_refuse_broken_invariants() -> None:
    with pytest.raises(InvalidInput) as caught:
        message(recipients=())
    assert caught.value.code == "edxml.missing"
    with pytest.raises(InvalidInput):
        message(attachments=())
    with pytest.raises(InvalidInput) as caught:
        Trace(organ_id="x", timestamp=dt.datetime(2024, 1, 1))
    assert caught.value.code == "edxml.bad_timestamp"
    with pytest.raises(InvalidInput):
        Attachment(name="a", content_type="x", data=b"")
    with pytest.raises(InvalidInput):
        Attachment(name="../a", content_type="x", data=b"1")
    with pytest.raises(InvalidInput):
        message(page_amount=-1)
    with pytest.raises(InvalidInput):
        message(business_doc_type=4)


# ------------------------------------------------------------ status messages


def status(code: str = StatusCode.ARRIVED, **changes: object) -> StatusMessage:
    base = StatusMessage(
        response_for=ResponseFor(
            organ_id="000.00.00.H01",
            code="12/QĐ-UBND",
            promulgation_date=dt.date(2024, 3, 5),
            document_id="000.00.00.H01,2024/03/05,12/QĐ-UBND",
        ),
        sender=Organ(organ_id="000.01.01.H01", name="Sở Nội vụ"),
        status_code=code,
        description="Đã nhận văn bản & chuyển xử lý",
        timestamp=dt.datetime(2024, 3, 6, 7, 5, 9, tzinfo=dt.UTC),
        staff_name="Trần Thị Bình",
        staff_department="Văn phòng",
        staff_email="binh@example.gov.vn",
        staff_mobile="0900000000",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("code", list(StatusCode))
def test_status_round_trip_for_every_code(code: StatusCode) -> None:
    original = status(code)
    parsed = parse_status(build_status(original))
    assert parsed == original
    assert parsed.status_code is code


def test_status_codes_are_the_standard_two_digit_values() -> None:
    assert {c.name: c.value for c in StatusCode} == {
        "ARRIVED": "01",
        "REFUSED": "02",
        "REGISTERED": "03",
        "LEADER_ASSIGNED": "04",
        "BEING_PROCESSED": "05",
        "COMPLETED": "06",
        "RECALL_REQUESTED": "13",
        "RECALL_OR_UPDATE_ACCEPTED": "15",
        "RECALL_OR_UPDATE_REFUSED": "16",
    }


def test_status_output_layout() -> None:
    text = build_status(status()).decode()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert "<edXML:Status>" in text and "<edXML:StaffInfo>" in text
    assert "<edXML:Timestamp>2024-03-06T14:05:09+07:00<" in text


def test_unknown_two_digit_status_code_is_kept_as_text() -> None:
    parsed = parse_status(build_status(status("07")))
    assert parsed.status_code == "07" and not isinstance(parsed.status_code, StatusCode)


def test_hand_written_status_sample_parses() -> None:
    parsed = parse_status((DATA / "edxml_status_sample.xml").read_bytes())
    assert parsed.response_for == ResponseFor(
        organ_id="000.00.00.H01",
        code="125/QĐ-UBND",
        promulgation_date=dt.date(2024, 3, 5),
        document_id="000.00.00.H01,2024/03/05,125/QĐ-UBND",
    )
    assert parsed.sender == Organ(organ_id="000.01.01.H01", name="Sở Nội vụ")
    assert parsed.status_code is StatusCode.REGISTERED
    assert parsed.description == "Đã vào sổ văn bản đến"
    assert parsed.timestamp == dt.datetime(2024, 3, 6, 14, 5, tzinfo=ICT)
    assert (parsed.staff_name, parsed.staff_department) == ("Trần Thị Bình", "Văn phòng")
    assert (parsed.staff_email, parsed.staff_mobile) == ("", "")


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("<edXML:StatusCode>01<", "<edXML:StatusCode>1<", "edxml.bad_status_code"),
        ("<edXML:StatusCode>01<", "<edXML:StatusCode>ab<", "edxml.bad_status_code"),
        ("<edXML:StatusCode>01<", "<edXML:StatusCode><", "edxml.missing"),
        ("<edXML:Timestamp>2024-03-06T14:05:09+07:00<", "<edXML:Timestamp><", "edxml.missing"),
        (
            "<edXML:Timestamp>2024-03-06T14:05:09+07:00<",
            "<edXML:Timestamp>mai<",
            "edxml.bad_timestamp",
        ),
        ("<edXML:PromulgationDate>2024/03/05<", "<edXML:PromulgationDate>x<", "edxml.bad_date"),
    ],
)
def test_status_refusals(old: str, new: str, code: str) -> None:
    text = build_status(status()).decode()
    assert old in text
    with pytest.raises(InvalidInput) as caught:
        parse_status(text.replace(old, new, 1).encode())
    assert caught.value.code == code
    assert caught.value.details["element"].startswith("edXMLEnvelope/edXMLHeader/Status")


@pytest.mark.parametrize("tag", ["Status", "ResponseFor", "From", "StatusCode", "Timestamp"])
def test_status_refuses_a_missing_element(tag: str) -> None:
    text = build_status(status()).decode()
    text = text.replace(f"<edXML:{tag}>", "<edXML:Other>", 1)
    text = text.replace(f"</edXML:{tag}>", "</edXML:Other>", 1)
    with pytest.raises(InvalidInput) as caught:
        parse_status(text.encode())
    assert caught.value.code == "edxml.missing"
    assert caught.value.details["element"].endswith(tag)


def test_status_refuses_a_naive_timestamp_and_a_bad_code_when_built() -> None:
    with pytest.raises(InvalidInput):
        status(timestamp=dt.datetime(2024, 1, 1))
    with pytest.raises(InvalidInput):
        status("1")


def test_a_document_package_is_not_a_status() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_status(build_document(message()))
    assert caught.value.details["element"] == "edXMLEnvelope/edXMLHeader/Status"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-06T14:05:09+07:00", dt.datetime(2024, 3, 6, 7, 5, 9, tzinfo=dt.UTC)),
        ("2024-03-06T07:05:09Z", dt.datetime(2024, 3, 6, 7, 5, 9, tzinfo=dt.UTC)),
        ("2024-03-06T09:05:09+09:00", dt.datetime(2024, 3, 6, 0, 5, 9, tzinfo=dt.UTC)),
        ("2024-03-06T14:05:09", dt.datetime(2024, 3, 6, 14, 5, 9, tzinfo=ICT)),
        ("2024/03/06 14:05:09", dt.datetime(2024, 3, 6, 14, 5, 9, tzinfo=ICT)),
        ("06/03/2024 14:05:09", dt.datetime(2024, 3, 6, 14, 5, 9, tzinfo=ICT)),
    ],
)
def test_timestamps_with_any_offset_are_read(text: str, expected: dt.datetime) -> None:
    data = build_status(status()).decode().replace("2024-03-06T14:05:09+07:00", text)
    assert parse_status(data.encode()).timestamp == expected
