"""How ``provnews serve`` answers a request that fails (imported only when Datasette runs).

Anyone who can reach the server chooses its query strings. Datasette 0.65 prints each failed
request's traceback with its local variables (the SQL, the ``Database`` object: some 300 lines)
and the failing SQL on the console, and answers 500 for mistakes in the query string
(``_sort`` on a column that is not there, two statements in ``_where``). Here a mistake of the
request is a 4xx whose reason goes to the visitor, and the console keeps uvicorn's access line for
it; only a fault of the server adds one line of its own, naming the exception and where it was
raised.
"""
from __future__ import annotations

import sqlite3
import sys
import traceback
import warnings
from urllib.parse import parse_qsl

from datasette import Response, hookimpl
from datasette.database import Database
from datasette.utils import add_cors_headers
from datasette.utils.asgi import Base400
from datasette.views.base import DatasetteError
from markupsafe import Markup

DEFAULT_HANDLER = "datasette.handle_exception"


def _printable(text: str) -> str:
    """One console line whatever the visitor put in the URL: no newlines, no terminal escapes."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def parameter_refused(exception: BaseException, query_string: str) -> str | None:
    """The query-string parameter whose value ``exception`` rejects, if it is a ValueError over one.

    Datasette parses some parameters without checking them first (``int()`` of ``_timelimit``,
    ``json.loads`` of ``_through``): the ValueError then quotes the value, or holds it (JSON).
    """
    if not isinstance(exception, ValueError):
        return None
    text = str(exception)
    for name, value in parse_qsl(query_string, keep_blank_values=True):
        if getattr(exception, "doc", None) == value or repr(value) in text:
            return name
    return None


def classify(exception: BaseException, query_string: str = "") -> tuple[int, str, str | None, dict]:
    """(status, message, title, extra JSON keys) for the answer to a request that raised ``exception``."""
    if isinstance(exception, Base400):
        return exception.status, str(exception.args[0]) if exception.args else "", None, {}
    if isinstance(exception, DatasetteError):
        message = Markup(exception.message) if exception.message_is_html else exception.message
        # A DatasetteError is Datasette's message for the visitor; those it leaves at the default
        # 500 all reject the request ("Cannot sort table by x", a bad _through), none is a fault.
        status = exception.status if exception.status < 500 else 400
        return status, message, exception.title, dict(exception.error_dict)
    if isinstance(exception, (sqlite3.ProgrammingError, sqlite3.Warning)):
        # SQLite refusing the SQL the request built ("one statement at a time", bindings): the
        # visitor's, as Datasette already answers 400 for the OperationalError of bad SQL.
        return 400, str(exception), "Invalid SQL", {}
    name = parameter_refused(exception, query_string)
    if name is not None:
        return 400, f"{name}: {exception}", None, {}
    return 500, str(exception), None, {}


def where_raised(exception: BaseException) -> str:
    frames = traceback.extract_tb(exception.__traceback__)
    if not frames:
        return ""
    last = frames[-1]
    path = last.filename.split("site-packages/", 1)[-1]
    return f" (at {path}:{last.lineno})"


@hookimpl
def handle_exception(datasette, request, exception):
    status, message, title, info = classify(exception, request.query_string)
    if status >= 500:
        print(_printable(f"provnews serve: server error on {request.method} {request.path}: "
                         f"{type(exception).__name__}: {exception}{where_raised(exception)}"),
              file=sys.stderr, flush=True)

    async def inner():
        # Rendered as Datasette's own handler renders it: JSON for .json paths, else its error page.
        body = {**info, "ok": False, "error": message, "status": status, "title": title}
        headers = {}
        if datasette.cors:
            add_cors_headers(headers)
        if request.path.split("?")[0].endswith(".json"):
            return Response.json(body, status=status, headers=headers)
        template = datasette.jinja_env.select_template([f"{status}.html", "error.html"])
        html = await template.render_async(dict(body, urls=datasette.urls, app_css_hash=datasette.app_css_hash(),
                                                menu_links=lambda: []))
        return Response.html(html, status=status, headers=headers)

    return inner


class QuietDatabase(Database):
    """A database whose failing queries are not written to the console: the visitor gets the
    error, and a query string chooses the SQL, so the console would only repeat it."""

    async def execute(self, sql, params=None, truncate=False, custom_time_limit=None, page_size=None,
                      log_sql_errors=False):
        return await super().execute(sql, params, truncate=truncate, custom_time_limit=custom_time_limit,
                                     page_size=page_size, log_sql_errors=False)


def install(ds) -> None:
    """This module's handler in place of Datasette's (whose rich traceback cannot be turned off), and
    the served databases quiet. For the serve process only: the plugin manager is Datasette's global."""
    from datasette.plugins import pm

    if pm.get_plugin(DEFAULT_HANDLER) is not None:
        pm.unregister(name=DEFAULT_HANDLER)
    if not pm.is_registered(sys.modules[__name__]):
        pm.register(sys.modules[__name__], name=__name__)
    # When one facet of a table page fails (``_facet=`` a column not there) Datasette drops the
    # other facets' coroutines unawaited, and Python warns of each in three lines.
    warnings.filterwarnings("ignore", message="coroutine '.*' was never awaited", category=RuntimeWarning)
    for name, db in list(ds.databases.items()):
        if db.path and not db.is_memory:
            ds.remove_database(name)
            ds.add_database(QuietDatabase(ds, path=db.path, is_mutable=db.is_mutable), name=name,
                            route=db.route)
