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


def _first_input_id(bound_field) -> str:
    """The id of the field's first input, the one an error summary's link moves to: a day/month/
    year date input or a set of radios has no id of its own, so its first part's."""
    if bound_field.id_for_label:
        return bound_field.id_for_label
    widget = bound_field.field.widget
    if isinstance(widget, forms.MultiWidget):
        context = widget.get_context(
            bound_field.html_name,
            bound_field.value(),
            bound_field.build_widget_attrs({"id": bound_field.auto_id}),
        )
        subwidgets = context["widget"]["subwidgets"]
        if subwidgets and subwidgets[0]["attrs"].get("id"):
            return subwidgets[0]["attrs"]["id"]
    if isinstance(widget, forms.widgets.ChoiceWidget):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


def error_summary(form) -> list[dict]:
    """Each of a failed form's errors, in the order its fields are on the page, with the link
    (href "#<id>") to the field the error is about: the NHS error summary's list. Errors about
    the whole form come first, without a link (href "")."""
    items = [{"href": "", "message": message} for message in form.non_field_errors()]
    for name in form.fields:
        if name in form.errors:
            href = "#" + _first_input_id(form[name])
            items.extend({"href": href, "message": message} for message in form.errors[name])
    return items


class NamedChoiceIterator(forms.models.ModelChoiceIterator):
    """The options of a Named field: (id, label) from the label columns read as values, no model
    instances."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        key = self.field.to_field_name or "pk"
        label = self.field.label_from_values
        for value, *columns in self.queryset.values_list(key, *self.field.label_fields):
            yield (value, label(*columns))


class NamedChoicesMixin:
    """Options read as values, not model instances: `label_fields` are the columns a label is made
    of, `label_from_values` makes it (by default the first column) and must give what the field's
    label_from_instance would. 3,000 practitioners made into models cost the office's patient page
    70 ms for its "Given by" list; the intake form's people lists 1,000 users (issue 22)."""

    iterator = NamedChoiceIterator
    label_fields: tuple[str, ...] = ("name",)

    def __init__(self, queryset, *, label_field: str | None = None, **kwargs) -> None:
        if label_field is not None:
            self.label_fields = (label_field,)
        super().__init__(queryset, **kwargs)

    def label_from_values(self, *columns) -> str:
        return columns[0]


class NamedModelChoiceField(NamedChoicesMixin, forms.ModelChoiceField):
    """A drop-down of a long directory list whose options are labelled by one column (a
    practitioner's name), read as (id, name) values. Choosing still checks the id against the
    queryset, as any ModelChoiceField does; the label must be what str() of the record gives."""


class NamedModelMultipleChoiceField(NamedChoicesMixin, BoundedModelMultipleChoiceField):
    """The same for a list of several choices."""


class PersonLabels:
    """A person's label, as AbstractUser.get_full_name() or get_username() gives it, from the
    three columns, for a Named field of users."""

    label_fields = ("first_name", "last_name", "username")

    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()

    def label_from_values(self, first_name: str, last_name: str, username: str) -> str:
        return f"{first_name} {last_name}".strip() or username
