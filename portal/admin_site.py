"""The portal's admin site: Django's, with what every admin page must have whoever registered the
model (the portal's apps, django-axes, django-otp): a search bounded in words and length, kept out
of URLs, and one-line text fields that refuse control characters (portal.forms
.SingleLineFieldsMixin, added to every registered admin's form and its inlines' forms: issue 17
finding 8).

History pages never write. simple-history's "view this version" page saves the old version when
it is POSTed to (SIMPLE_HISTORY_REVERT_DISABLED only hides the button), which would bypass every
service, change request and approval. Here it answers only GET and HEAD (405 otherwise) for every
model admin, superusers included, whichever base class the admin uses (issue 17 finding 1).

A search is POSTed by the changelist's search box (templates/admin/search_form.html) and kept in
the session (portal/search_tokens.py); the changelist's URL and every link it builds (pages,
filters, sorting, the way back from a change page) carry `_qt=<token>`, never the terms, so a
patient's name or NHS number does not reach a server log (issue 17 finding 10).

Django's changelist turns each word of a search into an OR over the search fields, joined by AND:
a 3,000-word search built a query SQLite refused ("Expression tree is too large", a 500) and
PostgreSQL would have spent a long time on (issue 17 finding 9). The bound is applied here, to
every admin view, so a model registered tomorrow has it too."""

from functools import update_wrapper

from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR, ChangeList
from django.http import HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect
from django.utils.text import smart_split
from django.views.decorators.http import require_safe
from simple_history.admin import SimpleHistoryAdmin

from .forms import single_line_form
from .query import int_param
from .search_tokens import search_recall, search_remember

SEARCH_REF_PARAM = "_qt"  # names the terms kept in the session
SEARCH_POST_MARKER = "_portal_search"

ADMIN_SEARCH_MAX_WORDS = 10
ADMIN_SEARCH_MAX_LENGTH = 200


def bounded_search(term: str) -> str:
    """The first ADMIN_SEARCH_MAX_WORDS words of `term`, at most ADMIN_SEARCH_MAX_LENGTH long."""
    words = list(smart_split(term[: ADMIN_SEARCH_MAX_LENGTH * 2]))[:ADMIN_SEARCH_MAX_WORDS]
    return " ".join(words)[:ADMIN_SEARCH_MAX_LENGTH]


class TokenSearchChangeList(ChangeList):
    """Django's changelist, searching by the terms a token names in the session instead of a `q`
    in the URL, and writing the token into every link it builds."""

    def __init__(self, request, *args, **kwargs) -> None:
        original = request.GET
        token = original.get(SEARCH_REF_PARAM)
        terms = search_recall(request.session, token)
        if token and terms is None:
            messages.info(request, "That search has ended. Search again.")
        data = original.copy()
        data.pop(SEARCH_REF_PARAM, None)
        data.pop(SEARCH_VAR, None)
        if terms:
            data[SEARCH_VAR] = terms
        request.GET = data  # Django's changelist reads its search from here
        try:
            super().__init__(request, *args, **kwargs)
        finally:
            request.GET = original
        self.params.pop(SEARCH_VAR, None)
        self.filter_params.pop(SEARCH_VAR, None)
        if terms:
            self.params[SEARCH_REF_PARAM] = token
        self.preserved_filters = self.model_admin.get_preserved_filters(request)
        self.remove_facet_link = self.get_query_string(remove=["_facets"])
        self.add_facet_link = self.get_query_string({"_facets": True})

    def get_filters_params(self, params=None):
        lookup_params = super().get_filters_params(params)
        lookup_params.pop(SEARCH_REF_PARAM, None)
        return lookup_params


def _search_posted(request, params: QueryDict):
    """Keep a search's terms (from the search box's POST or a typed `q`) in the session and show
    the list at its token, with the other parameters (filters, ordering) as they were."""
    query = QueryDict(mutable=True)
    for key, values in params.lists():
        if key not in {SEARCH_VAR, SEARCH_REF_PARAM, SEARCH_POST_MARKER, "csrfmiddlewaretoken"}:
            query.setlist(key, values)
    term = params.get(SEARCH_VAR, "").strip()
    if term:
        bounded = bounded_search(term)
        if bounded != term:
            messages.warning(request, _BOUNDED_MESSAGE)
        query[SEARCH_REF_PARAM] = search_remember(request.session, bounded)
    return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)


_BOUNDED_MESSAGE = (
    f"Only the first {ADMIN_SEARCH_MAX_WORDS} words (and {ADMIN_SEARCH_MAX_LENGTH} characters) "
    "of a search are used."
)


# The date drill-down's parameters (date_hierarchy) and their ranges: Django turns them into a
# date, and a year of twenty digits raised OverflowError (a 500).
DATE_PARTS = {"__year": (1, 9999), "__month": (1, 12), "__day": (1, 31)}


def _too_large(value: str) -> bool:
    """A whole number no database integer column holds (64 bits)."""
    digits = value.strip().lstrip("+-")
    return digits.isascii() and digits.isdigit() and int(digits) >= 2**63


def _date_parts_valid(params: QueryDict) -> bool:
    for key in params:
        for suffix, (low, high) in DATE_PARTS.items():
            if key.endswith(suffix) and int_param(params, key, default=0, minimum=low, maximum=high) == 0:
                return False
    return True


def _is_history_form_view(view) -> bool:
    return isinstance(getattr(view, "__self__", None), SimpleHistoryAdmin) and (
        view.__name__ == "history_form_view"
    )


class PortalAdminSite(admin.AdminSite):
    site_header = "LSESN Sarcoma Portal administration"
    site_title = "LSESN Sarcoma Portal admin"
    index_title = "MDT office administration"

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        inlines = [
            type(
                inline.__name__,
                (inline,),
                {"form": single_line_form(inline.form), "__module__": inline.__module__},
            )
            for inline in admin_class.inlines
        ]
        attrs = {
            "form": single_line_form(admin_class.form),
            "inlines": inlines,
            "__module__": admin_class.__module__,
        }
        if getattr(admin_class, "add_form", None):  # the user admin's add page has its own form
            attrs["add_form"] = single_line_form(admin_class.add_form)
        attrs["get_changelist"] = lambda self, request, **kwargs: TokenSearchChangeList
        checked = type(admin_class.__name__, (admin_class,), attrs)
        return super().register(model_or_iterable, checked, **options)

    def admin_view(self, view, cacheable=False):
        if _is_history_form_view(view):
            view = require_safe(view)
        inner = super().admin_view(view, cacheable)

        def bounded(request, *args, **kwargs):
            if any("\x00" in key + value for key, values in request.GET.lists() for value in values):
                # PostgreSQL refuses NUL in text, and a changelist filter passes its value straight
                # to the database (a 500 found by tests/security/test_bad_query_strings.py).
                return HttpResponseBadRequest("A search or filter cannot hold a NUL character.")
            if any(_too_large(value) for _, values in request.GET.lists() for value in values):
                # A changelist filter passes a number to the database as it is: SQLite raised
                # OverflowError on twenty digits (found by tests/security/test_bad_query_strings.py).
                return HttpResponseBadRequest("A number in the address is too large.")
            if not _date_parts_valid(request.GET):
                return HttpResponseBadRequest("A date in the address is not a date.")
            searched = request.POST if request.method == "POST" else request.GET
            searching = SEARCH_POST_MARKER in request.POST or (
                request.method == "GET" and SEARCH_VAR in searched
            )
            if searching and self.has_permission(request):
                # The search box's POST, or a q typed into an address: the terms go into the
                # session and the page is shown at a token.
                return _search_posted(request, searched)
            return inner(request, *args, **kwargs)

        return update_wrapper(bounded, inner)
