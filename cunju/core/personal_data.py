"""Personal data at rest: ID numbers and phones encrypted (SM4-GCM), masked on screen.

``PersonalDataField`` stores an SM4-GCM token (with its key id, so keys can rotate) and gives
back a :class:`Sensitive` value whose ``str()`` is the *masked* form: a template that prints
it can never leak the number. The full value comes only from ``reveal()``, which views call
after checking the permission and auditing (see ``reveal_personal_data`` in actions).
``BlindIndexField`` keeps a keyed hash beside it for exact lookup without decrypting.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import FieldError, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .cipher import cipher_from_settings
from .idnumbers import (
    InvalidPhone,
    InvalidResidentId,
    mask_id_number,
    mask_phone,
    validate_mobile,
    validate_resident_id,
)

ID_NUMBER = "id_number"
PHONE = "phone"
KINDS = {ID_NUMBER, PHONE}


def normalize(kind: str, value: str) -> str:
    """The canonical form of a value, or ValidationError saying what is wrong."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        if kind == ID_NUMBER:
            return validate_resident_id(value).number
        return validate_mobile(value)
    except (InvalidResidentId, InvalidPhone) as exc:
        raise ValidationError(str(exc), code=getattr(exc, "code", "invalid")) from exc


def mask(kind: str, value: str) -> str:
    if not value:
        return ""
    return mask_id_number(value) if kind == ID_NUMBER else mask_phone(value)


class Sensitive:
    """A decrypted personal value that prints masked; ``reveal()`` gives the full value."""

    __slots__ = ("kind", "_value")

    def __init__(self, kind: str, value: str) -> None:
        self.kind = kind
        self._value = value

    def reveal(self) -> str:
        return self._value

    @property
    def masked(self) -> str:
        return mask(self.kind, self._value)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"<Sensitive {self.kind} {self.masked}>"

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sensitive):
            return self._value == other._value
        if isinstance(other, str):
            return self._value == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._value)


def plain(value: Any) -> str:
    if isinstance(value, Sensitive):
        return value.reveal()
    return value or ""


class PersonalFormField(forms.CharField):
    """Shows the masked value; submitting the mask unchanged keeps the stored value."""

    def __init__(self, *, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return str(value) if isinstance(value, Sensitive) else value

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        initial = getattr(self, "_initial_sensitive", None)
        if isinstance(initial, Sensitive) and value == initial.masked:
            return initial
        return normalize(self.kind, value)


class PersonalDataField(models.TextField):
    """An ID or phone number, SM4-GCM encrypted in the database and masked when shown."""

    description = _("Encrypted personal data")

    def __init__(self, *args: Any, kind: str = ID_NUMBER, **kwargs: Any) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown personal data kind {kind!r}")
        self.kind = kind
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        return name, path, args, kwargs

    @property
    def purpose(self) -> str:
        # Bound to the column, so a token copied into another column does not decrypt.
        return f"{self.model._meta.label_lower}.{self.name}"

    def get_lookup(self, lookup_name: str):
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.name} is encrypted; look it up through its blind index field instead"
            )
        return super().get_lookup(lookup_name)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Sensitive:
        if not value:
            return Sensitive(self.kind, "")
        return Sensitive(self.kind, cipher_from_settings().open(value, purpose=self.purpose))

    def to_python(self, value: Any) -> Sensitive:
        if isinstance(value, Sensitive):
            return value
        return Sensitive(self.kind, normalize(self.kind, value or ""))

    def get_prep_value(self, value: Any) -> str:
        text = plain(value)
        if not text:
            return ""
        return cipher_from_settings().seal(normalize(self.kind, text), purpose=self.purpose)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if not isinstance(value, Sensitive):
            value = Sensitive(self.kind, normalize(self.kind, value or ""))
            setattr(model_instance, self.attname, value)
        return value

    def validate(self, value: Any, model_instance: models.Model) -> None:
        if not self.blank and not plain(value):
            raise ValidationError(self.error_messages["blank"], code="blank")

    def value_to_string(self, obj: models.Model) -> str:
        return str(self.value_from_object(obj))

    def formfield(self, **kwargs: Any) -> forms.Field:
        return PersonalFormField(
            kind=self.kind,
            required=not self.blank,
            label=self.verbose_name,
            help_text=self.help_text,
        )


class BlindIndexField(models.CharField):
    """HMAC of another personal field's value: exact lookup without decrypting."""

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def digest(self, value: Any) -> str:
        source_field = self.model._meta.get_field(self.source)
        text = plain(value)
        if not text:
            return ""
        return cipher_from_settings().blind_index(
            normalize(source_field.kind, text), purpose=source_field.kind
        )

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = self.digest(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def blind_index(kind: str, value: str) -> str:
    """The lookup key for ``value``: ``Person.objects.filter(id_number_index=blind_index(...))``."""
    normalized = normalize(kind, value)
    return cipher_from_settings().blind_index(normalized, purpose=kind) if normalized else ""


class PersonalDataFormMixin:
    """For forms with personal fields: an unchanged mask keeps the stored value."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, PersonalFormField):
                field._initial_sensitive = self.initial.get(name)
