"""The SMPP client against a real (small) SMSC on 127.0.0.1: encodings, long messages,
a wrong password, a refusal, the link check; and Vietnamese mobile numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecabinet.core.settings import Settings, SettingsError
from ecabinet.core.sms import MAX_PARTS, Sms, SmsError, SmsLink, encode
from ecabinet.core.users import vn_mobile
from tests.support.smsc import Smsc

VIETNAMESE = "Dự thảo Quyết định phê duyệt Kế hoạch chuyển đổi số tỉnh năm 2027 chờ đồng chí ký"


def settings_for(tmp_path: Path, smsc: Smsc, **extra: str) -> Settings:
    env = {
        "ECABINET_DATA_DIR": str(tmp_path),
        "ECABINET_SMSC_HOST": "127.0.0.1",
        "ECABINET_SMSC_PORT": str(smsc.port),
        "ECABINET_SMSC_SYSTEM_ID": smsc.system_id,
        "ECABINET_SMSC_PASSWORD": smsc.password,
        "ECABINET_SMSC_SOURCE_ADDR": "UBND TINH",
        "ECABINET_NETWORK_TIMEOUT": "5",
    }
    return Settings.from_env(env | {f"ECABINET_{k.upper()}": v for k, v in extra.items()})


def test_gsm_text_is_one_gsm7_part_and_vietnamese_goes_as_ucs2() -> None:
    parts, coding, _ = encode("Hop luc 14:00 tai phong hop so 1")
    assert (len(parts), coding) == (1, 0)
    parts, coding, esm = encode(VIETNAMESE)  # 82 characters: two UCS-2 parts
    assert (len(parts), coding, esm & 0x40) == (2, 8, 0x40)
    parts, _, _ = encode(VIETNAMESE * 10)
    assert len(parts) == MAX_PARTS


def test_a_long_vietnamese_message_arrives_whole(tmp_path: Path, smsc: Smsc) -> None:
    with SmsLink(settings_for(tmp_path, smsc)) as link:
        assert link.alive()
        result = link.send(Sms("84912345678", VIETNAMESE))
        assert result.ok and result.message_id == "m1"
        assert link.send(Sms("84912345678", "Hop luc 14:00")).ok
    [long, short] = smsc.messages()
    assert (long.destination, long.text, long.data_coding, long.parts) == (
        "84912345678",
        VIETNAMESE,
        8,
        2,
    )
    assert (short.text, short.data_coding) == ("Hop luc 14:00", 0)
    assert smsc.submitted[0].source == "UBND TINH"
    assert smsc.enquire_links == 1


def test_a_wrong_password_or_no_smsc_is_an_error_before_anything_is_sent(
    tmp_path: Path, smsc: Smsc
) -> None:
    with pytest.raises(SmsError), SmsLink(settings_for(tmp_path, smsc, smsc_password="wrong")):
        pass
    port = smsc.port
    smsc.stop()
    with pytest.raises(SmsError), SmsLink(settings_for(tmp_path, smsc, smsc_port=str(port))):
        pass
    assert smsc.submitted == []


def test_a_refused_message_is_a_failed_result(tmp_path: Path, smsc: Smsc) -> None:
    smsc.refuse_next = 1
    with SmsLink(settings_for(tmp_path, smsc)) as link:
        result = link.send(Sms("84912345678", "Hop"))
        assert not result.ok and "status 8" in result.error
        assert link.send(Sms("84912345678", "Hop")).ok
    assert len(smsc.messages()) == 1


def test_smsc_settings_are_checked(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="SMSC_HOST"):
        Settings.from_env({"ECABINET_DATA_DIR": str(tmp_path), "ECABINET_SMSC_HOST": "smsc"})
    off = Settings.from_env({"ECABINET_DATA_DIR": str(tmp_path)})
    assert off.smsc_host is None
    with pytest.raises(SmsError):
        SmsLink(off)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912 345 678", "84912345678"),
        ("+84 912-345-678", "84912345678"),
        ("84386123456", "84386123456"),
        ("(070) 123.4567", "84701234567"),
        ("0212345678", None),  # a landline
        ("091234567", None),
        ("+1 912 345 678", None),
        ("09123456789", None),
        ("", None),
    ],
)
def test_vietnamese_mobile_numbers(raw: str, expected: str | None) -> None:
    assert vn_mobile(raw) == expected
