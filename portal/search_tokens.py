"""Searches for patients without their names or NHS numbers in a URL (issue 17 finding 10).

A search typed into a GET form travels in the query string, and so lands in the web server's,
the proxy's and the browser's logs and history. The portal's patient search is POSTed instead:
the terms are kept in the user's session under a random token, and the list's URL (which can be
paged, reloaded and shared within the session) carries only `?search=<token>`. A token is
meaningless outside the session that made it, and ends with it."""

import secrets

from django.contrib.sessions.backends.base import SessionBase

SESSION_KEY = "portal_search_terms"
SEARCH_PARAM = "search"
KEPT_SEARCHES = 20  # the session keeps this user's latest searches only
MAX_TERMS_LENGTH = 500  # longer than any form accepts, so the form still says what is wrong


def search_remember(session: SessionBase, terms: str) -> str:
    """Keep `terms` in the session; returns the token that names them."""
    searches = dict(session.get(SESSION_KEY, {}))
    token = secrets.token_urlsafe(9)
    searches[token] = terms[:MAX_TERMS_LENGTH]
    session[SESSION_KEY] = dict(list(searches.items())[-KEPT_SEARCHES:])
    return token


def search_recall(session: SessionBase, token: str | None) -> str | None:
    """The terms the token names in this session, or None (no token, another session's, or
    forgotten)."""
    if not token:
        return None
    return session.get(SESSION_KEY, {}).get(token)
