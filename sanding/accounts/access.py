"""Who may use each view, declared once per URL name beside the URL patterns (`ACCESS` in each urls.py).

The declarations do not grant anything: the views enforce access through the scoping mechanism
(`scoping.py`) and the services. They state what the views must do, and `tests/test_permission_matrix.py`
proves it for every URL pattern the project has — a pattern without a declaration fails that test:

- anonymous users are sent to the login page (unless the view is `public`);
- a user who cannot see the URL's object (`target`) gets 404, whatever their role;
- otherwise a GET answers 200 to the roles in `read` and 403 to the others (405 for everyone if `read`
  is empty: the view takes POST only); a POST is carried out for the roles in `write` and refused
  (403, 404 or 405) for the others, with nothing written.
"""

from dataclasses import dataclass, field

from .choices import Role

EVERYONE = frozenset(Role)
OFFICE = frozenset({Role.ADMIN, Role.STAFF})
OFFICE_AND_LEADER = frozenset({Role.ADMIN, Role.STAFF, Role.LEADER})
OFFICE_AND_CLERK = frozenset({Role.ADMIN, Role.STAFF, Role.CLERK})
ADMINS = frozenset({Role.ADMIN})
CLERKS = frozenset({Role.CLERK})
NOBODY = frozenset()


@dataclass(frozen=True)
class Access:
    read: frozenset = NOBODY
    write: frozenset = NOBODY
    # "app_label.Model" of the object named by the URL's `pk` (or `object_id` in the admin), or by the
    # query parameter `query` (e.g. ?region=).
    target: str | None = None
    query: str | None = None
    # Values of the URL's other arguments: a literal, or "app_label.Model" for an object of that model.
    args: dict = field(default_factory=dict)
    public: bool = False


# The admin site: 编办管理员 only (a superuser, or a region admin for the rows of their region).
ADMIN_SITE = Access(read=ADMINS, write=ADMINS)
