"""The portal's admin site: Django's, with what every admin page must have whoever registered the
model (the portal's apps, django-axes, django-otp): a search bounded in words and length, and
one-line text fields that refuse control characters (portal.forms.SingleLineFieldsMixin, added
to every registered admin's form and its inlines' forms: issue 17 finding 8).

Django's changelist turns each word of a search into an OR over the search fields, joined by AND:
a 3,000-word search built a query SQLite refused ("Expression tree is too large", a 500) and
PostgreSQL would have spent a long time on (issue 17 finding 9). The bound is applied here, to
every admin view, so a model registered tomorrow has it too."""

from functools import update_wrapper

from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.utils.text import smart_split

from .forms import single_line_form

ADMIN_SEARCH_MAX_WORDS = 10
ADMIN_SEARCH_MAX_LENGTH = 200


def bounded_search(term: str) -> str:
    """The first ADMIN_SEARCH_MAX_WORDS words of `term`, at most ADMIN_SEARCH_MAX_LENGTH long."""
    words = list(smart_split(term[: ADMIN_SEARCH_MAX_LENGTH * 2]))[:ADMIN_SEARCH_MAX_WORDS]
    return " ".join(words)[:ADMIN_SEARCH_MAX_LENGTH]


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
        checked = type(admin_class.__name__, (admin_class,), attrs)
        return super().register(model_or_iterable, checked, **options)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def bounded(request, *args, **kwargs):
            term = request.GET.get(SEARCH_VAR)
            if term and bounded_search(term) != term.strip():
                request.GET = request.GET.copy()
                request.GET[SEARCH_VAR] = bounded_search(term)
                messages.warning(
                    request,
                    f"Only the first {ADMIN_SEARCH_MAX_WORDS} words (and {ADMIN_SEARCH_MAX_LENGTH} "
                    "characters) of a search are used.",
                )
            return inner(request, *args, **kwargs)

        return update_wrapper(bounded, inner)
