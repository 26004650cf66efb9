"""Encryption at rest for personal data: SM4-GCM tokens and HMAC-SHA256 blind indexes.

SM4 is the national block cipher (GB/T 32907) that GB/T 39786 expects for protecting personal
information in storage; GCM adds integrity, so a tampered value fails instead of decrypting to
garbage. A stored value is a self-describing token::

    sm4gcm:<key id>:<urlsafe base64, unpadded, of nonce | ciphertext | tag>

The key id in the token lets old keys keep decrypting after the active key is rotated. The key
id and the field's ``purpose`` are authenticated as associated data, so a token copied into
another column (or relabelled with another key id) is rejected.

Equality lookups ("is this ID number already registered?") use a blind index: a keyed HMAC of
the normalised value, stored beside the token, that reveals nothing without the index key.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import hashlib
import hmac
import os
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

__all__ = ["PersonalDataCipher", "UndecryptableValue", "cipher_from_settings"]

TOKEN_PREFIX = "sm4gcm"
KEY_BYTES = 16
INDEX_KEY_MIN_BYTES = 16
NONCE_BYTES = 12
TAG_BYTES = 16

_KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")

SETTING_NAMES = (
    "CUNJU_PERSONAL_DATA_KEYS",
    "CUNJU_PERSONAL_DATA_ACTIVE_KEY",
    "CUNJU_PERSONAL_DATA_INDEX_KEY",
)


class UndecryptableValue(ValueError):
    """A token could not be decrypted: bad format, unknown key id or failed authentication."""


class PersonalDataCipher:
    """Seal and open personal data with SM4-GCM; compute blind indexes for lookups.

    ``keys`` maps key ids to 16-byte SM4 keys; new tokens use ``active_key_id`` and every key
    in ``keys`` can still open tokens. ``index_key`` (at least 16 bytes) keys the blind index;
    it must never change once indexes are stored, since they would no longer match.
    """

    def __init__(self, keys: Mapping[str, bytes], active_key_id: str, index_key: bytes) -> None:
        if not keys:
            raise ValueError("At least one personal data key is required.")
        checked: dict[str, bytes] = {}
        for key_id, key in keys.items():
            if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
                raise ValueError(
                    f"Key id {key_id!r} is not valid: use 1-64 letters, digits, '_', '.' or '-'."
                )
            if not isinstance(key, bytes | bytearray):
                raise ValueError(f"Key {key_id!r} must be bytes, not {type(key).__name__}.")
            if len(key) != KEY_BYTES:
                raise ValueError(
                    f"Key {key_id!r} must be exactly {KEY_BYTES} bytes for SM4, got {len(key)}."
                )
            checked[key_id] = bytes(key)
        if active_key_id not in checked:
            raise ValueError(
                f"The active key id {active_key_id!r} is not among the keys "
                f"({', '.join(sorted(checked))})."
            )
        if not isinstance(index_key, bytes | bytearray):
            raise ValueError(f"The blind index key must be bytes, not {type(index_key).__name__}.")
        if len(index_key) < INDEX_KEY_MIN_BYTES:
            raise ValueError(
                f"The blind index key must be at least {INDEX_KEY_MIN_BYTES} bytes, "
                f"got {len(index_key)}."
            )
        self._keys = checked
        self._index_key = bytes(index_key)
        self.active_key_id = active_key_id

    def __repr__(self) -> str:
        # Key ids only: keys must never reach logs or error pages.
        return (
            f"PersonalDataCipher(key_ids={sorted(self._keys)!r}, "
            f"active_key_id={self.active_key_id!r})"
        )

    @property
    def key_ids(self) -> frozenset[str]:
        """The ids of every key that can open tokens."""
        return frozenset(self._keys)

    @staticmethod
    def _associated_data(key_id: str, purpose: str) -> bytes:
        # Key ids cannot contain NUL and the purpose comes last, so the encoding is unambiguous.
        return f"{TOKEN_PREFIX}\0{key_id}\0{purpose}".encode()

    def seal(self, plaintext: str, purpose: str = "") -> str:
        """Encrypt ``plaintext`` with the active key into a token bound to ``purpose``."""
        if not isinstance(plaintext, str):
            raise TypeError(f"seal() takes a str, not {type(plaintext).__name__}.")
        key_id = self.active_key_id
        # A random 96-bit nonce per value; GCM must never reuse a nonce under one key.
        nonce = os.urandom(NONCE_BYTES)
        encryptor = Cipher(algorithms.SM4(self._keys[key_id]), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(self._associated_data(key_id, purpose))
        ciphertext = encryptor.update(plaintext.encode("utf-8")) + encryptor.finalize()
        payload = base64.urlsafe_b64encode(nonce + ciphertext + encryptor.tag).rstrip(b"=")
        return f"{TOKEN_PREFIX}:{key_id}:{payload.decode('ascii')}"

    @staticmethod
    def _split(token: object) -> tuple[str, str]:
        if not isinstance(token, str):
            raise UndecryptableValue(
                f"An encrypted value must be a str token, not {type(token).__name__}."
            )
        parts = token.split(":")
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
            raise UndecryptableValue(
                f"Not an encrypted value: expected '{TOKEN_PREFIX}:<key id>:<data>'."
            )
        _, key_id, payload = parts
        if not _KEY_ID.fullmatch(key_id):
            raise UndecryptableValue("The encrypted value has a malformed key id.")
        return key_id, payload

    def open(self, token: str, purpose: str = "") -> str:
        """Decrypt a token made by :meth:`seal` with the same ``purpose``.

        Raises :class:`UndecryptableValue` if the token is malformed, names a key that is not
        configured, or fails authentication (altered, wrong purpose or wrong key).
        """
        key_id, payload = self._split(token)
        key = self._keys.get(key_id)
        if key is None:
            raise UndecryptableValue(
                f"The value was encrypted with key {key_id!r}, which is not configured "
                f"(configured: {', '.join(sorted(self._keys))})."
            )
        if not _BASE64URL.fullmatch(payload) or len(payload) % 4 == 1:
            raise UndecryptableValue("The encrypted value's data is not valid base64.")
        try:
            raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        except (binascii.Error, ValueError):
            raise UndecryptableValue("The encrypted value's data is not valid base64.") from None
        if len(raw) < NONCE_BYTES + TAG_BYTES:
            raise UndecryptableValue("The encrypted value is truncated.")
        nonce, ciphertext, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
        decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(self._associated_data(key_id, purpose))
        try:
            plaintext = decryptor.update(ciphertext) + decryptor.finalize()
        except InvalidTag:
            raise UndecryptableValue(
                "The encrypted value failed authentication: it was altered, belongs to another "
                "field (purpose), or the key is wrong."
            ) from None
        try:
            return plaintext.decode("utf-8")
        except UnicodeDecodeError:
            raise UndecryptableValue("The decrypted value is not UTF-8 text.") from None

    def needs_rotation(self, token: str) -> bool:
        """True if the token was sealed with a key other than the active one.

        Raises :class:`UndecryptableValue` if the token is not a token at all.
        """
        key_id, _ = self._split(token)
        return key_id != self.active_key_id

    def blind_index(self, value: str, purpose: str) -> str:
        """A 64-character hex HMAC-SHA256 of the normalised value, for exact-match lookups.

        The value is NFKC-normalised, trimmed and case-folded, so full-width digits or a
        lower-case ``x`` find the same row. Other spellings (spaces or a +86 in a phone number)
        are not folded: pass the validated, normalised form. ``purpose`` keeps the indexes of
        different fields apart.
        """
        if "\0" in purpose:
            raise ValueError("The blind index purpose cannot contain NUL characters.")
        normalised = unicodedata.normalize("NFKC", value).strip().casefold()
        message = f"{purpose}\0{normalised}".encode()
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()


# --- Configuration from Django settings ----------------------------------------------------

_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")


def _decode_key(value: Any, setting: str, fits: Callable[[int], bool]) -> bytes:
    """Raw bytes from a hex or base64 (standard or URL-safe, padding optional) string.

    A string could read as both; the reading whose length ``fits`` wins, hex first.
    """
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if not isinstance(value, str) or not value.strip():
        raise ImproperlyConfigured(f"{setting} must be a hex or base64 string.")
    text = value.strip()
    readings = []
    if _HEX.fullmatch(text):
        readings.append(bytes.fromhex(text))
    with contextlib.suppress(binascii.Error, ValueError):
        padded = text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4)
        readings.append(base64.b64decode(padded, validate=True))
    if not readings:
        # The value itself is secret, so the message names only the setting.
        raise ImproperlyConfigured(f"{setting} is neither hex nor base64.")
    return next((raw for raw in readings if fits(len(raw))), readings[0])


@functools.lru_cache(maxsize=1)
def cipher_from_settings() -> PersonalDataCipher:
    """The cipher configured by the ``CUNJU_PERSONAL_DATA_*`` settings (built once, cached).

    ``CUNJU_PERSONAL_DATA_KEYS`` maps key ids to hex or base64 16-byte keys,
    ``CUNJU_PERSONAL_DATA_ACTIVE_KEY`` names the key for new values and
    ``CUNJU_PERSONAL_DATA_INDEX_KEY`` is the hex or base64 blind index key.
    """
    values = {name: getattr(settings, name, None) for name in SETTING_NAMES}
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise ImproperlyConfigured(
            "Personal data encryption is not configured: set "
            f"{', '.join(SETTING_NAMES)} (missing: {', '.join(missing)})."
        )
    raw_keys = values["CUNJU_PERSONAL_DATA_KEYS"]
    if not isinstance(raw_keys, Mapping):
        raise ImproperlyConfigured(
            "CUNJU_PERSONAL_DATA_KEYS must be a dict of key id to hex or base64 key."
        )
    keys = {
        key_id: _decode_key(
            key, f"CUNJU_PERSONAL_DATA_KEYS[{key_id!r}]", lambda length: length == KEY_BYTES
        )
        for key_id, key in raw_keys.items()
    }
    index_key = _decode_key(
        values["CUNJU_PERSONAL_DATA_INDEX_KEY"],
        "CUNJU_PERSONAL_DATA_INDEX_KEY",
        lambda length: length >= INDEX_KEY_MIN_BYTES,
    )
    try:
        return PersonalDataCipher(keys, values["CUNJU_PERSONAL_DATA_ACTIVE_KEY"], index_key)
    except ValueError as error:
        raise ImproperlyConfigured(f"Personal data encryption settings: {error}") from None


@receiver(setting_changed, dispatch_uid="cunju.core.cipher.reset")
def _reset_cipher(*, setting: str, **kwargs: Any) -> None:
    # Tests (and override_settings) swap keys at run time; drop the cached cipher then.
    if setting in SETTING_NAMES:
        cipher_from_settings.cache_clear()
