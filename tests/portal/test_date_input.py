"""Every date in the portal round-trips: a saved date is shown in the NHS date input (day, month,
year) and comes back unchanged when the form is submitted as a browser would submit it (issue 19
item 1: a saved decision to treat, rendered as 30/11/2026 into <input type="date">, showed as
empty and was wiped when the form was saved again)."""

import datetime
from html.parser import HTMLParser

import pytest
from django import forms
from django.urls import reverse

from portal.widgets import DateInput
from tests.portal.test_single_line import _project_form_classes

SAVED = datetime.date(2026, 11, 30)


class FormValues(HTMLParser):
    """What a browser submits from a page's forms: every named input, select and textarea with
    its value (checked boxes only; each select's selected option, else its first)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._select: tuple[str, list[str], list[str]] | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append([])
        elif tag == "input" and attrs.get("name") and not self._outside():
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            if kind in {"checkbox", "radio"} and attrs.get("value") is None:
                self.forms[-1].append((attrs["name"], "on"))  # a browser's value for a box without one
            elif kind not in {"submit", "button", "image", "file"}:
                self.forms[-1].append((attrs["name"], attrs.get("value") or ""))
        elif tag == "select" and attrs.get("name") and not self._outside():
            self._select = (attrs["name"], [], [])
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            self._select[1].append(value)
            if "selected" in attrs:
                self._select[2].append(value)
        elif tag == "textarea" and attrs.get("name") and not self._outside():
            self._textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            name, options, selected = self._select
            for value in selected or options[:1]:
                self.forms[-1].append((name, value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1].append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None

    def _outside(self) -> bool:
        return not self.forms


def browser_data(html: str, form_index: int = -1) -> dict[str, list[str]]:
    parser = FormValues()
    parser.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in parser.forms[form_index]:
        data.setdefault(name, []).append(value)
    return data


def _date_fields() -> list[tuple[str, str, forms.Field]]:
    return [
        (f"{cls.__module__}.{cls.__name__}", name, field)
        for cls in _project_form_classes()
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.DateField)
    ]


def test_there_are_date_fields_to_check():
    assert len(_date_fields()) >= 15


def test_every_date_field_of_every_form_uses_the_nhs_date_input():
    """By construction: a new form with a date field that is not day/month/year fails here."""
    others = [
        f"{form}.{name}" for form, name, field in _date_fields() if not isinstance(field.widget, DateInput)
    ]
    assert not others, f"give these portal.widgets.DateInput: {others}"


@pytest.mark.parametrize(
    ("form", "name", "field"), _date_fields(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_date_field_shows_a_saved_date_and_reads_it_back_unchanged(form, name, field):
    """Rendered with a saved date, parsed as a browser parses it, submitted unchanged: the same
    date, in every form that has a date (found from the forms' modules, so none is missed)."""
    html = field.widget.render(name, SAVED, attrs={"id": f"id_{name}"})
    parser = FormValues()
    parser.feed(f"<form>{html}</form>")
    data = dict(parser.forms[0])
    assert data == {f"{name}_day": "30", f"{name}_month": "11", f"{name}_year": "2026"}
    assert field.clean(field.widget.value_from_datadict(data, {}, name)) == SAVED
    assert not field.has_changed(SAVED, field.widget.value_from_datadict(data, {}, name))


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [("1", "2", "2027", datetime.date(2027, 2, 1)), ("01", "02", "2027", datetime.date(2027, 2, 1))],
)
def test_the_date_input_reads_a_date_typed_with_or_without_leading_zeros(day, month, year, expected):
    field = forms.DateField(widget=DateInput())
    value = field.widget.value_from_datadict({"d_day": day, "d_month": month, "d_year": year}, {}, "d")
    assert field.clean(value) == expected


@pytest.mark.parametrize(
    ("day", "month", "year"), [("31", "2", "2027"), ("", "2", "2027"), ("1", "2", "27"), ("x", "2", "2027")]
)
def test_a_date_that_is_not_a_date_is_refused_and_shown_back_as_typed(day, month, year):
    class Form(forms.Form):
        on = forms.DateField(widget=DateInput())

    form = Form({"on_day": day, "on_month": month, "on_year": year})
    assert not form.is_valid()
    data = dict(browser_data(f"<form>{form['on']}</form>"))
    assert data == {"on_day": [day], "on_month": [month], "on_year": [year]}


def test_an_empty_optional_date_stays_empty():
    field = forms.DateField(widget=DateInput(), required=False)
    value = field.widget.value_from_datadict({"d_day": "", "d_month": " ", "d_year": ""}, {}, "d")
    assert field.clean(value) is None


def test_a_date_given_as_one_value_in_a_url_is_still_read():
    field = forms.DateField(widget=DateInput())
    assert field.clean(field.widget.value_from_datadict({"d": "2026-11-30"}, {}, "d")) == SAVED


def _page_form(html: str, action: str) -> dict[str, list[str]]:
    """The values of the form on the page that posts to `action`, as a browser would send them."""
    start = html.index(f'action="{action}"')
    form_start = html.rindex("<form", 0, start)
    return browser_data(html[form_start : html.index("</form>", start) + len("</form>")])


def test_a_saved_decision_to_treat_survives_the_outcome_form_saved_unchanged(client, office_user):
    """The decision to treat a coordinator saved is on the outcome page in its three boxes, and
    saving the page again (to fix a typo) keeps it (issue 19 item 1)."""
    from mdt.models import MdtDiscussion
    from tests.factories import MdtDiscussionFactory, QuorateHeldMeetingFactory

    discussion = MdtDiscussionFactory(meeting=QuorateHeldMeetingFactory())
    MdtDiscussion.objects.filter(pk=discussion.pk).update(
        outcome="surgery", recommendation="Excision", decision_to_treat_on=SAVED
    )
    client.force_login(office_user)
    url = reverse("mdt:discussion_outcome", args=[discussion.pk])
    data = _page_form(client.get(url).content.decode(), url)
    assert data["decision_to_treat_on_day"] == ["30"]
    assert data["decision_to_treat_on_year"] == ["2026"]
    data["referrer_email"] = ["gp@nhs.net"]  # the one thing a coordinator must add here
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 302, body[body.find("<main") : body.find("<main") + 3000]
    discussion.refresh_from_db()
    assert discussion.decision_to_treat_on == SAVED
    assert discussion.recommendation == "Excision"


def test_a_pathways_saved_dates_survive_its_dates_form_saved_unchanged(client, office_user):
    """Every date on a pathway's dates form comes back in its boxes; submitted as the browser
    shows it, nothing changes."""
    from tests.factories import TreatedLatePathwayFactory
    from waiting_times.models import CancerPathway

    pathway = TreatedLatePathwayFactory()
    before = CancerPathway.objects.filter(pk=pathway.pk).values().get()
    client.force_login(office_user)
    page = client.get(reverse("waiting_times:pathway", args=[pathway.pk])).content.decode()
    url = reverse("waiting_times:pathway_dates", args=[pathway.pk])
    data = _page_form(page, url)
    assert data["dates-treated_on_year"] == [str(pathway.treated_on.year)]
    data["dates-reason"] = ["Checked the dates."]
    response = client.post(url, data, follow=True)
    assert "Nothing changed." in response.content.decode()
    assert CancerPathway.objects.filter(pk=pathway.pk).values().get() == before
