import gc
import weakref

from django.utils.safestring import SafeString

from portal.widgets import LongSelect, LongSelectMultiple


def test_long_select_escapes_values_and_labels_and_marks_the_selected_option():
    widget = LongSelect(choices=[("", "---"), (1, "<b>Dr A</b>"), ('2"x', "B & C")])
    html = widget.render("who", 1)
    assert '<option value="1" selected>&lt;b&gt;Dr A&lt;/b&gt;</option>' in html
    assert '<option value="2&quot;x">B &amp; C</option>' in html
    assert "<b>" not in html


def test_long_select_multiple_marks_every_selected_option():
    html = LongSelectMultiple(choices=[(1, "A"), (2, "B"), (3, "C")]).render("present", [1, 3])
    assert html.count(" selected>") == 2
    assert "multiple" in html


def test_long_select_reuses_a_rendered_list_only_for_the_same_choices_and_selection():
    first = LongSelect(choices=[("", "---"), (1, "Dr A")]).render("deputy_1", None)
    same = LongSelect(choices=[("", "---"), (1, "Dr A")]).render("deputy_2", None)
    renamed = LongSelect(choices=[("", "---"), (1, "Dr A-Smith")]).render("deputy_3", None)
    chosen = LongSelect(choices=[("", "---"), (1, "Dr A")]).render("deputy_1", 1)
    assert first.replace("deputy_1", "deputy_2") == same
    assert "Dr A-Smith" in renamed
    assert '<option value="" selected>---</option>' in first
    assert '<option value="1" selected>Dr A</option>' in chosen
    assert '<option value="" selected>' not in chosen


def test_long_select_renders_equal_but_different_values_each_as_itself():
    # True == 1 == 1.0 (and they hash alike), but each renders as its own value attribute.
    as_bool = LongSelect(choices=[(True, "Yes")]).render("flag", None)
    as_int = LongSelect(choices=[(1, "Yes")]).render("flag", None)
    as_float = LongSelect(choices=[(1.0, "Yes")]).render("flag", None)
    assert '<option value="True">Yes</option>' in as_bool
    assert '<option value="1">Yes</option>' in as_int
    assert '<option value="1.0">Yes</option>' in as_float


def test_long_select_escapes_a_plain_label_even_after_rendering_the_same_text_marked_safe():
    # SafeString("<b>x</b>") == "<b>x</b>": only the safe one may reach the page unescaped.
    marked_safe = LongSelect(choices=[(1, SafeString("<b>x</b>"))]).render("who", None)
    plain = LongSelect(choices=[(1, "<b>x</b>")]).render("who", None)
    assert '<option value="1"><b>x</b></option>' in marked_safe
    assert '<option value="1">&lt;b&gt;x&lt;/b&gt;</option>' in plain
    assert "<b>" not in plain


def test_long_select_does_not_keep_the_choices_values_alive():
    class Value:
        def __str__(self):
            return "7"

    value = Value()
    alive = weakref.ref(value)
    assert '<option value="7">Dr G</option>' in LongSelect(choices=[(value, "Dr G")]).render("who", None)
    del value
    gc.collect()
    assert alive() is None


def test_a_multiple_choice_of_boxes_is_drawn_as_nhs_checkboxes_not_radios():
    """Django's CheckboxSelectMultiple is a RadioSelect: the template pack told them apart in the
    wrong order and drew every set of tick boxes as round radios (seen on the clinic survey)."""
    from django import forms
    from django.template import Context, Template

    class Choices(forms.Form):
        steps = forms.MultipleChoiceField(
            choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
        )
        one = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)

    html = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": Choices()}))
    assert html.count('class="nhsuk-checkboxes__input"') == 2
    assert 'type="checkbox"' in html
    assert html.count('class="nhsuk-radios__input"') == 2


def test_a_file_input_has_nhs_frontends_file_upload_class_and_so_its_focus_ring():
    """NHS.UK frontend 10 styles `nhsuk-file-upload__input` (its focus ring included); the older
    `nhsuk-file-upload` class on the input matched nothing, and a keyboard user saw no focus on it
    (the directory import, a policy's PDF)."""
    from django import forms
    from django.template import Context, Template

    class Upload(forms.Form):
        csv_file = forms.FileField(label="CSV file")

    form = Upload(data={}, files={})
    html = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form}))
    assert 'class="nhsuk-file-upload__input"' in html
    assert "nhsuk-form-group--error" in html
