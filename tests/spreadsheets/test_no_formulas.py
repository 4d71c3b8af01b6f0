"""No spreadsheet the project writes holds a formula: hostile text is written as text, shown as typed.

Every export view and command is walked (EXPORT_VIEWS, EXPORT_COMMANDS); the guards at the end fail
when a new export appears in the URLconf or among the commands without being added here.
"""

import inspect
import io

import pytest
from django.core.management import call_command, get_commands
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from sanding.accounts.choices import Role
from sanding.assessment import services
from sanding.assessment.choices import RoundState
from sanding.assessment.models import Assessment, Item, Round, Section
from sanding.core.xlsx import FORMULA_START, is_formula_text
from sanding.spreadsheets.kinds import KINDS
from tests.assessment.conftest import build_checklist, deadlines, fill_and_submit
from tests.factories import DepartmentFactory, InternalUnitFactory, StaffingQuotaFactory, UserFactory
from tests.ledger.factories import IssueFactory, RectificationFactory, category

pytestmark = pytest.mark.django_db

# What a user might type (or an imported sheet might carry): formulas, and text Excel would turn into
# one or into an error value. "#N/A" is not formula-like, but must stay text too.
HOSTILE = ('=HYPERLINK("http://x","y")', "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", "#N/A")


def as_read(text):
    """The text as any xlsx reader (Excel, openpyxl, calamine) gets it back: XML stores a bare carriage
    return as a line feed, so "\\r=1" reads as "\\n=1" (still text with the quote prefix)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def assert_literal(content, texts=HOSTILE):
    """`content` (xlsx bytes) has no formula or error cell, and each of `texts` is in a string cell,
    value kept; formula-like ones carry Excel's quote prefix."""
    workbook = load_workbook(io.BytesIO(content))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert cells
    active = [(cell.coordinate, cell.value) for cell in cells if cell.data_type in ("f", "e")]
    assert active == [], "formula or error cells"
    expected = {as_read(text): text for text in texts}
    found = {}
    for cell in cells:
        if cell.value in expected:
            typed = expected[cell.value]
            assert cell.data_type == "s", (cell.coordinate, cell.value)
            assert cell.quotePrefix is bool(is_formula_text(typed)), (cell.coordinate, cell.value)
            found[cell.value] = cell
    assert sorted(found) == sorted(expected), "hostile texts missing from the file"


def test_hostile_texts_cover_every_formula_start():
    assert {text[0] for text in HOSTILE} >= set(FORMULA_START)


# --- realistic data with hostile text in every user-typed field the exports show -------------------------


@pytest.fixture
def hostile_departments(city):
    """One department per hostile text: its name, notes, an internal unit, quotas, and a ledger issue whose
    description, category, measures, person and notes are that text."""
    departments = []
    for i, text in enumerate(HOSTILE, start=1):
        department = DepartmentFactory(region=city, code=f"YZ9{i:02d}", name=text, short_name=f"恶意{i}", notes=text)
        InternalUnitFactory(department=department, name=text)
        StaffingQuotaFactory(department=department)
        issue = IssueFactory(department=department, seq=i, description=text, category=category(text))
        RectificationFactory(issue=issue, seq=1, measures=text, responsible_person=text, notes=text)
        departments.append(department)
    return departments


@pytest.fixture
def hostile_round(city, staff_user, hostile_departments):
    """A closed round with an approved result for each hostile department; the round, a section and
    the veto item carry hostile text too."""
    checklist = build_checklist(city)
    Section.objects.filter(checklist=checklist, seq=1).update(title=HOSTILE[1])
    Item.objects.filter(section__checklist=checklist, is_veto=True).update(text=HOSTILE[2])
    round_ = Round(region=city, name=HOSTILE[0], checklist=checklist, **deadlines())
    services.round_create(actor=staff_user, round_=round_, departments=hostile_departments)
    services.round_transition(actor=staff_user, round_=round_, to_state=RoundState.OPEN)
    for i, department in enumerate(hostile_departments):
        clerk = UserFactory(username=f"d-{department.code}", role=Role.CLERK, region=city, department=department)
        assessment = Assessment.objects.get(round=round_, department=department)
        fill_and_submit(assessment, clerk, checklist, **({"2_1": "0"} if i % 2 else {}))
        services.assessment_approve(actor=staff_user, assessment=assessment)
    services.round_transition(actor=staff_user, round_=round_, to_state=RoundState.REVIEWING)
    services.round_transition(actor=staff_user, round_=round_, to_state=RoundState.CLOSED)
    assert round_.assessments.filter(state="approved").count() == len(HOSTILE)
    return round_


# --- every export view and command -----------------------------------------------------------------------


def _body(response):
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


def _round_export(request, login):
    round_ = request.getfixturevalue("hostile_round")
    client = login(request.getfixturevalue("staff_user"))
    return [_body(client.get(reverse("assessment:round-export", args=[round_.pk])))]


def _ledger_export(request, login):
    request.getfixturevalue("hostile_departments")
    client = login(request.getfixturevalue("staff_user"))
    return [_body(client.get(reverse("ledger:export")))]


def _table_exports(request, login):
    request.getfixturevalue("hostile_departments")
    city = request.getfixturevalue("city")
    client = login(request.getfixturevalue("admin_user"))
    return [
        _body(client.get(reverse("spreadsheets:export-download", args=[slug]), {"region": city.pk})) for slug in KINDS
    ]


def _templates(request, login):
    client = login(request.getfixturevalue("admin_user"))
    return [_body(client.get(reverse("spreadsheets:template-download", args=[slug]))) for slug in KINDS]


# URL name -> (what the file must hold as typed, the files it serves)
EXPORT_VIEWS = {
    "assessment:round-export": (HOSTILE, _round_export),
    "ledger:export": (HOSTILE, _ledger_export),
    "spreadsheets:export-download": (HOSTILE, _table_exports),
    "spreadsheets:template-download": ((), _templates),  # no user text: only "no formula" applies
}


def _export_round(request, tmp_path):
    round_ = request.getfixturevalue("hostile_round")
    files = []
    for args in (["--round", str(round_.pk)], ["--latest-closed"]):
        target = tmp_path / "round.xlsx"
        call_command("export_round", *args, str(target), stdout=io.StringIO())
        files.append(target.read_bytes())
    return files


def _export_ledger(request, tmp_path):
    request.getfixturevalue("hostile_departments")
    files = []
    for args in ([], ["--region", "云州市"]):
        target = tmp_path / "ledger.xlsx"
        call_command("export_ledger", str(target), *args, stdout=io.StringIO())
        files.append(target.read_bytes())
    return files


EXPORT_COMMANDS = {
    "export_round": _export_round,
    "export_ledger": _export_ledger,
}


@pytest.mark.parametrize("name", sorted(EXPORT_VIEWS))
def test_export_view_writes_no_formula(request, login, name):
    texts, export = EXPORT_VIEWS[name]
    files = export(request, login)
    assert files
    for content in files:
        assert_literal(content, texts)


@pytest.mark.parametrize("name", sorted(EXPORT_COMMANDS))
def test_export_command_writes_no_formula(request, tmp_path, name):
    files = EXPORT_COMMANDS[name](request, tmp_path)
    assert files
    for content in files:
        assert_literal(content)


# --- the walk above is complete --------------------------------------------------------------------------

SPREADSHEET_MARKERS = ("spreadsheetml", "XLSX", ".xlsx", "text/csv", "csv.writer", "Workbook(")


def _url_patterns(resolver, namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _url_patterns(entry, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else None, entry


def _source(view):
    view = getattr(view, "view_class", view)
    try:
        return inspect.getsource(view)
    except (OSError, TypeError):
        return ""


def spreadsheet_views():
    """Project URL names that serve a spreadsheet: by name, by route, or by what the view's code writes."""
    found = set()
    for name, pattern in _url_patterns(get_resolver()):
        view = pattern.callback
        if not getattr(view, "__module__", "").startswith("sanding."):
            continue
        route = str(pattern.pattern)
        by_name = name and ("export" in name or "template-download" in name)
        by_route = route.endswith((".xlsx", ".csv", ".xlsx$", ".csv$"))
        by_code = any(marker in _source(view) for marker in SPREADSHEET_MARKERS)
        if by_name or by_route or by_code:
            assert name, f"unnamed spreadsheet view {route}"
            found.add(name)
    return found


def test_every_export_view_is_walked():
    found = spreadsheet_views()
    assert found - set(EXPORT_VIEWS) == set(), "a spreadsheet view is not walked: add it to EXPORT_VIEWS"
    assert set(EXPORT_VIEWS) - found == set(), "EXPORT_VIEWS names a view the URLconf no longer has"


def test_every_export_command_is_walked():
    commands = {
        name for name, app in get_commands().items() if app.startswith("sanding.") and name.startswith("export_")
    }
    assert commands - set(EXPORT_COMMANDS) == set(), "an export command is not walked: add it to EXPORT_COMMANDS"
    assert set(EXPORT_COMMANDS) - commands == set(), "EXPORT_COMMANDS names a command that no longer exists"
