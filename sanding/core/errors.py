"""The last line of defence against odd input: an error that a query parameter or a posted value provoked
in the database layer answers the Chinese 400 page (templates/400.html), never a 500.

The views, filter sets and forms clean what they read (`sanding.core.cleaning`, Django's form fields); this
catches what they miss:

- OverflowError: an integer SQLite cannot bind (above 2**63 - 1);
- ValueError: a NUL character PostgreSQL refuses, or a value a model field cannot convert
  (“Field 'id' expected a number but got '²'”);
- DataError: a value the database refuses (PostgreSQL: numeric out of range, invalid input syntax).

Each is logged as a warning with its traceback: the request was bad, but the missing cleaning is a bug to fix.
"""

import logging

from django.db import DatabaseError, DataError
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.template import loader

logger = logging.getLogger("sanding.bad_input")

VALUE_ERRORS = (
    "cannot contain NUL (0x00)",  # psycopg: a NUL character in a query parameter
    "expected a number but got",  # Django: a model field converting a lookup value
)


def is_bad_input(exception):
    """Whether `exception` is the database layer refusing a value, rather than a fault of the code."""
    if isinstance(exception, (OverflowError, DataError)):
        return True
    return isinstance(exception, ValueError) and any(text in str(exception) for text in VALUE_ERRORS)


def bad_request(request):
    try:
        return render(request, "400.html", status=400)
    except DatabaseError:
        # The failed statement left the transaction unusable (a DataError inside an atomic block): the
        # page without the user's navigation, as Django's own 400 handler renders it.
        return HttpResponseBadRequest(loader.get_template("400.html").render())


class BadInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_bad_input(exception):
            return None
        logger.warning("Odd input answered with 400: %s %s", request.method, request.path, exc_info=exception)
        return bad_request(request)
