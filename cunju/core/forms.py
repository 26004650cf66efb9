"""Form plumbing shared by every module."""

from django.core.exceptions import ValidationError
from django.forms import Form


def apply_errors(form: Form, exc: Exception) -> bool:
    """Show an action's ValidationError on the form; False when it is another error."""
    if not isinstance(exc, ValidationError):
        return False
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
    return True
