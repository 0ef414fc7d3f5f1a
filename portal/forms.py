import unicodedata

from django import forms
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

# Characters no one-line field may hold: control characters (line breaks, tabs, NUL, escapes)
# and the Unicode line and paragraph separators.
SINGLE_LINE_REFUSED_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


def refuse_control_characters(value: str) -> None:
    """A one-line field (a name, a title, a phone number) holds no line break or other control
    character. A practitioner named "Line1\nLine2" made Django refuse an e-mail header and stopped
    the annual confirmation sweep; a policy title with "\r\n" left its review alert claimed for
    ever (issue 17 finding 8)."""
    if any(unicodedata.category(char) in SINGLE_LINE_REFUSED_CATEGORIES for char in str(value)):
        raise ValidationError(
            "Remove the line breaks, tabs and other control characters: this field is one line.",
            code="control_characters",
        )


def is_single_line(field: forms.Field) -> bool:
    """A text field typed on one line: a CharField (or subclass) whose widget is not a text area
    or a password box."""
    return isinstance(field, forms.CharField) and not isinstance(
        field.widget, forms.Textarea | forms.PasswordInput | forms.HiddenInput
    )


class SingleLineFieldsMixin:
    """For every form the portal shows (its pages and, through portal/admin_site.py, the admin):
    each one-line text field refuses control characters. A text area keeps its line breaks."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if is_single_line(field) and refuse_control_characters not in field.validators:
                field.validators.append(refuse_control_characters)


def single_line_form(form_class: type) -> type:
    """`form_class` with SingleLineFieldsMixin, made once per class."""
    if issubclass(form_class, SingleLineFieldsMixin):
        return form_class
    return type(
        form_class.__name__, (SingleLineFieldsMixin, form_class), {"__module__": form_class.__module__}
    )


class TokenForm(SingleLineFieldsMixin, forms.Form):
    token = forms.CharField(
        label="Six-digit code from your authenticator app",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError("Enter the six digits shown in your authenticator app.")
        return token


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses ids no database integer can hold.

    Django turns a non-number into "not a valid value" but passes 99999999999999999999 to the
    database, where SQLite raises OverflowError (a 500). Found by tests/security/test_bad_input.py.
    Decimal digits only: "\u00b2" is a digit to str.isdigit() but int() refuses it (ValueError)."""

    def _check_values(self, value):
        for pk in value or ():
            text = str(pk).strip()
            if text.lstrip("-").isdecimal() and abs(int(text)) >= 2**63:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class _UsernameLengthChecked:
    """Django's sign-in forms set the username's max_length after the field is built, so it is
    never validated: a 300-character username reached authenticate() and django-axes, whose
    INSERT then failed on PostgreSQL (a 500). Found by tests/security/test_bad_input.py."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class LoginForm(SingleLineFieldsMixin, _UsernameLengthChecked, AuthenticationForm):
    pass


class AdminLoginForm(SingleLineFieldsMixin, _UsernameLengthChecked, AdminAuthenticationForm):
    pass


def report_form_errors(request, form, error: ValidationError | None = None) -> None:
    """Bad input or a refused rule, as messages naming the field (for forms posted from a page
    that shows them elsewhere, e.g. the patient page's action forms)."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    if error is not None:
        for message in error.messages:
            messages.error(request, message)
