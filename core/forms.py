from django import forms
from django.core.exceptions import ValidationError

from core.locking import StaleEdit


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError onto the form, field by field where it names fields."""
    if isinstance(error, StaleEdit) and hasattr(form, "offer_overwrite"):
        form.offer_overwrite(error)
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def help_texts(**texts):
    """A class decorator giving a form's fields help texts (shown under the label and linked
    with aria-describedby), for fields whose meaning is not obvious from the label."""

    def decorate(form_class: type[forms.BaseForm]) -> type[forms.BaseForm]:
        for name, text in texts.items():
            form_class.base_fields[name].help_text = text
        return form_class

    return decorate
