"""SM4-GCM tokens, key rotation and blind indexes for personal data."""

import base64
import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from cunju.core.cipher import PersonalDataCipher, UndecryptableValue, cipher_from_settings

OLD_KEY = bytes(range(16))
NEW_KEY = bytes(range(16, 32))
INDEX_KEY = bytes(range(100, 132))


def make_cipher(active: str = "k1", **overrides) -> PersonalDataCipher:
    arguments = {
        "keys": {"k0": OLD_KEY, "k1": NEW_KEY},
        "active_key_id": active,
        "index_key": INDEX_KEY,
    }
    arguments.update(overrides)
    return PersonalDataCipher(**arguments)


BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def flip_payload_char(token: str, index: int) -> str:
    """Flip the top bit of one base64 character, which always changes a decoded byte."""
    prefix, key_id, payload = token.split(":")
    index %= len(payload)
    swapped = BASE64URL[BASE64URL.index(payload[index]) ^ 0b100000]
    return f"{prefix}:{key_id}:{payload[:index]}{swapped}{payload[index + 1 :]}"


# --- Sealing and opening -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["13812341234", "张三", "湖北省恩施州利川市谋道镇 🏔️", "", "a" * 5000]
)
def test_round_trip(text):
    cipher = make_cipher()
    assert cipher.open(cipher.seal(text)) == text
    assert cipher.open(cipher.seal(text, purpose="resident.name"), purpose="resident.name") == text


def test_token_format():
    token = make_cipher().seal("11010519491231002X")
    prefix, key_id, payload = token.split(":")
    assert (prefix, key_id) == ("sm4gcm", "k1")
    assert re.fullmatch(r"[A-Za-z0-9_-]+", payload)
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    # 12-byte nonce, 18 bytes of ciphertext (GCM keeps the length), 16-byte tag.
    assert len(raw) == 12 + 18 + 16
    assert "11010519491231002X" not in token


def test_same_plaintext_seals_differently():
    cipher = make_cipher()
    first, second = cipher.seal("张三"), cipher.seal("张三")
    assert first != second
    payloads = [token.split(":")[2] for token in (first, second)]
    assert payloads[0][:16] != payloads[1][:16]  # the first 16 characters encode the nonce


@pytest.mark.parametrize("index", [0, 5, 16, 20, -1])
def test_tampered_token_fails(index):
    cipher = make_cipher()
    token = cipher.seal("张三的身份证号")
    with pytest.raises(UndecryptableValue, match="failed authentication"):
        cipher.open(flip_payload_char(token, index))


def test_truncated_token_fails():
    cipher = make_cipher()
    token = cipher.seal("张三")
    with pytest.raises(UndecryptableValue):
        cipher.open(token[:-4])
    with pytest.raises(UndecryptableValue, match="truncated"):
        cipher.open("sm4gcm:k1:" + "A" * 20)


def test_wrong_purpose_fails():
    cipher = make_cipher()
    token = cipher.seal("13812341234", purpose="resident.phone")
    with pytest.raises(UndecryptableValue, match="failed authentication"):
        cipher.open(token, purpose="resident.id_number")
    with pytest.raises(UndecryptableValue):
        cipher.open(token)


def test_relabelled_key_id_fails():
    # Both keys exist; swapping the id in the token must still be caught by the tag.
    cipher = make_cipher()
    token = cipher.seal("张三")
    with pytest.raises(UndecryptableValue, match="failed authentication"):
        cipher.open(token.replace("sm4gcm:k1:", "sm4gcm:k0:"))


def test_token_from_another_installation_fails():
    other = PersonalDataCipher({"k1": bytes(16)}, "k1", INDEX_KEY)
    with pytest.raises(UndecryptableValue, match="failed authentication"):
        make_cipher().open(other.seal("张三"))


@pytest.mark.parametrize(
    "token",
    [
        "张三",
        "",
        "sm4gcm:k1",
        "sm4gcm:k1:abc:def",
        "aes:k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "sm4gcm::AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "sm4gcm:k1:AAAA+AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "sm4gcm:k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "sm4gcm:k1:AAAAA",
    ],
)
def test_malformed_tokens(token):
    with pytest.raises(UndecryptableValue):
        make_cipher().open(token)


def test_non_string_token():
    with pytest.raises(UndecryptableValue, match="str"):
        make_cipher().open(b"sm4gcm:k1:AAAA")  # type: ignore[arg-type]


def test_seal_needs_text():
    with pytest.raises(TypeError):
        make_cipher().seal(b"bytes")  # type: ignore[arg-type]


def test_unknown_key_id():
    token = make_cipher().seal("张三")
    without_k1 = PersonalDataCipher({"k0": OLD_KEY}, "k0", INDEX_KEY)
    with pytest.raises(UndecryptableValue, match="key 'k1', which is not configured") as info:
        without_k1.open(token)
    assert isinstance(info.value, ValueError)


# --- Rotation ------------------------------------------------------------------------------


def test_rotation():
    before = make_cipher(active="k0")
    token = before.seal("11010519491231002X", purpose="resident.id_number")
    assert token.startswith("sm4gcm:k0:")
    assert before.needs_rotation(token) is False

    after = make_cipher(active="k1")
    assert after.needs_rotation(token) is True
    assert after.open(token, purpose="resident.id_number") == "11010519491231002X"

    resealed = after.seal(after.open(token, purpose="resident.id_number"), "resident.id_number")
    assert resealed.startswith("sm4gcm:k1:")
    assert after.needs_rotation(resealed) is False


def test_needs_rotation_of_a_malformed_token():
    with pytest.raises(UndecryptableValue):
        make_cipher().needs_rotation("not a token")


# --- Blind index ---------------------------------------------------------------------------


def test_blind_index_is_stable_hex():
    first = make_cipher().blind_index("11010519491231002X", "resident.id_number")
    again = make_cipher(active="k0").blind_index("11010519491231002X", "resident.id_number")
    assert first == again
    assert re.fullmatch(r"[0-9a-f]{64}", first)


def test_blind_index_is_separated_by_purpose():
    cipher = make_cipher()
    assert cipher.blind_index("13812341234", "resident.phone") != cipher.blind_index(
        "13812341234", "member.phone"
    )
    # The separator keeps purpose and value from running into each other.
    assert cipher.blind_index("b", "a") != cipher.blind_index("ab", "")


def test_blind_index_normalises_the_value():
    cipher = make_cipher()
    canonical = cipher.blind_index("11010519491231002X", "id")
    assert cipher.blind_index(" 11010519491231002x ", "id") == canonical
    assert cipher.blind_index("１１０１０５１９４９１２３１００２Ｘ", "id") == canonical
    assert cipher.blind_index("11010519491231002", "id") != canonical


def test_blind_index_depends_on_the_index_key():
    other = make_cipher(index_key=bytes(32))
    assert other.blind_index("张三", "name") != make_cipher().blind_index("张三", "name")


def test_blind_index_purpose_rejects_nul():
    with pytest.raises(ValueError):
        make_cipher().blind_index("x", "a\0b")


# --- Key validation ------------------------------------------------------------------------


@pytest.mark.parametrize("length", [0, 15, 17, 32])
def test_bad_key_length(length):
    with pytest.raises(ValueError, match=f"'k1' must be exactly 16 bytes for SM4, got {length}"):
        PersonalDataCipher({"k1": b"\1" * length}, "k1", INDEX_KEY)


def test_key_must_be_bytes():
    with pytest.raises(ValueError, match="must be bytes"):
        PersonalDataCipher({"k1": "0" * 32}, "k1", INDEX_KEY)  # type: ignore[dict-item]


def test_short_index_key():
    with pytest.raises(ValueError, match="blind index key must be at least 16 bytes, got 8"):
        PersonalDataCipher({"k1": NEW_KEY}, "k1", b"\1" * 8)


def test_active_key_must_exist():
    with pytest.raises(ValueError, match="active key id 'k2'"):
        make_cipher(active="k2")


def test_keys_required():
    with pytest.raises(ValueError, match="At least one"):
        PersonalDataCipher({}, "k1", INDEX_KEY)


@pytest.mark.parametrize("key_id", ["", "k:1", "k 1", "钥匙"])
def test_bad_key_id(key_id):
    with pytest.raises(ValueError, match="Key id"):
        PersonalDataCipher({key_id: NEW_KEY}, key_id, INDEX_KEY)


def test_repr_hides_keys():
    text = repr(make_cipher())
    assert "k0" in text and "k1" in text
    assert OLD_KEY.hex() not in text and repr(OLD_KEY) not in text


# --- Settings ------------------------------------------------------------------------------


def configure(settings, keys=None, active="k1", index=None):
    settings.CUNJU_PERSONAL_DATA_KEYS = keys or {"k0": OLD_KEY.hex(), "k1": NEW_KEY.hex()}
    settings.CUNJU_PERSONAL_DATA_ACTIVE_KEY = active
    settings.CUNJU_PERSONAL_DATA_INDEX_KEY = index or INDEX_KEY.hex()


def test_cipher_from_hex_settings(settings):
    configure(settings)
    cipher = cipher_from_settings()
    assert cipher.active_key_id == "k1"
    assert cipher.open(make_cipher().seal("张三")) == "张三"
    assert cipher.blind_index("张三", "name") == make_cipher().blind_index("张三", "name")


def test_cipher_from_base64_settings(settings):
    configure(
        settings,
        keys={
            "k0": base64.b64encode(OLD_KEY).decode(),
            "k1": base64.urlsafe_b64encode(NEW_KEY).decode().rstrip("="),
        },
        index=base64.b64encode(INDEX_KEY).decode(),
    )
    cipher = cipher_from_settings()
    assert cipher.open(make_cipher().seal("李四")) == "李四"
    assert cipher.open(make_cipher(active="k0").seal("李四")) == "李四"
    assert cipher.blind_index("李四", "name") == make_cipher().blind_index("李四", "name")


def test_cipher_from_settings_is_cached_and_reset_on_change(settings):
    configure(settings)
    first = cipher_from_settings()
    assert cipher_from_settings() is first
    settings.CUNJU_PERSONAL_DATA_ACTIVE_KEY = "k0"
    second = cipher_from_settings()
    assert second is not first
    assert second.active_key_id == "k0"


@pytest.mark.parametrize(
    "name",
    [
        "CUNJU_PERSONAL_DATA_KEYS",
        "CUNJU_PERSONAL_DATA_ACTIVE_KEY",
        "CUNJU_PERSONAL_DATA_INDEX_KEY",
    ],
)
def test_missing_settings(settings, name):
    configure(settings)
    delattr(settings, name)
    with pytest.raises(ImproperlyConfigured) as info:
        cipher_from_settings()
    message = str(info.value)
    assert f"missing: {name}" in message
    assert "CUNJU_PERSONAL_DATA_KEYS" in message
    assert "CUNJU_PERSONAL_DATA_ACTIVE_KEY" in message
    assert "CUNJU_PERSONAL_DATA_INDEX_KEY" in message


def test_settings_with_a_short_key(settings):
    configure(settings, keys={"k1": "00" * 15})
    with pytest.raises(ImproperlyConfigured, match="16 bytes"):
        cipher_from_settings()


def test_settings_with_an_undecodable_key(settings):
    configure(settings, keys={"k1": "not a key!"})
    with pytest.raises(ImproperlyConfigured, match=r"CUNJU_PERSONAL_DATA_KEYS\['k1'\]") as info:
        cipher_from_settings()
    assert "not a key!" not in str(info.value)


def test_settings_with_a_short_index_key(settings):
    configure(settings, index="00" * 8)
    with pytest.raises(ImproperlyConfigured, match="blind index key"):
        cipher_from_settings()


def test_settings_with_an_unknown_active_key(settings):
    configure(settings, active="k9")
    with pytest.raises(ImproperlyConfigured, match="'k9'"):
        cipher_from_settings()
