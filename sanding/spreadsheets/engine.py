"""One import engine for every table: validate every row, preview, and write all-or-nothing.

An importer (see `importers/`) says how to parse a row (`parse`), what would happen to it (`plan`:
create / update / unchanged) and how to write it (`stage` and `flush`). The engine streams the rows,
collects every problem, and in commit mode writes inside one transaction that is rolled back when any
row is invalid — so nothing is written unless the whole file is valid.
"""

from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.db import transaction

from .cells import BLANK, CellError, text
from .reading import Problems, SheetReader

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
ACTION_LABELS = {CREATE: "新增", UPDATE: "更新", UNCHANGED: "不变"}
PREVIEW_ROWS = 300


class RowContext:
    """One data row being parsed: reads cells by column name and records per-cell errors."""

    def __init__(self, row, reader, problems):
        self.row = row
        self.number = row.number
        self.reader = reader
        self.problems = problems
        self.errors = {}

    def raw(self, name):
        return self.row.values.get(name)

    def has(self, name):
        return name in self.reader.header.labels

    def get(self, name, parser=text, required=False, default=None):
        raw = self.row.values.get(name)
        if raw is None or (type(raw) is str and not raw.strip(BLANK)):  # cells.is_empty, inlined
            if required:
                self.error(name, "不能为空")
            return default if default is not None else parser(None)
        try:
            return parser(raw)
        except CellError as error:
            self.error(name, str(error))
            return default

    def error(self, name, message):
        label = self.reader.label(name) if name else ""
        self.problems.add(self.number, label, message)
        self.errors.setdefault(name or "", message)

    @property
    def ok(self):
        return not self.errors


@dataclass
class Result:
    kind: str
    sheet: str = ""
    header_row: int = 0
    rows: int = 0
    counts: dict = field(default_factory=dict)  # "部门" -> {"create": n, "update": n, "unchanged": n}
    problems: list = field(default_factory=list)
    problem_count: int = 0
    preview: dict = field(default_factory=dict)
    committed: bool = False

    @property
    def ok(self):
        return self.problem_count == 0

    def summary_lines(self):
        lines = []
        for entity, counts in self.counts.items():
            lines.append(
                f"{entity}：新增 {counts.get(CREATE, 0)}，更新 {counts.get(UPDATE, 0)}，不变 {counts.get(UNCHANGED, 0)}"
            )
        return lines

    def as_dict(self):
        return {
            "kind": self.kind,
            "sheet": self.sheet,
            "header_row": self.header_row,
            "rows": self.rows,
            "counts": self.counts,
            "problems": self.problems,
            "problem_count": self.problem_count,
            "committed": self.committed,
        }


class Rollback(Exception):
    pass


class RowWriteError(Exception):
    """Raised by an importer's flush when the database refuses a row; names the file row."""

    def __init__(self, row, message, column=""):
        super().__init__(message)
        self.row, self.message, self.column = row, message, column


class Importer:
    """Base class: subclasses set `layout` and implement parse / plan / stage / flush."""

    layout = None
    entities = ()  # labels of what is counted, e.g. ("问题", "整改事项")

    def __init__(self, *, region, actor=None):
        self.region = region
        self.actor = actor
        self.counts = {entity: Counter() for entity in self.entities}

    def count(self, entity, action):
        self.counts[entity][action] += 1

    def begin(self, *, commit, expected_rows=0):
        """Load what the plan needs (existing rows, units) with a fixed number of queries.

        `expected_rows` is the sheet's height below the header (an upper bound on the data rows).
        """

    def end(self, *, failed=False):
        """Release what `begin` took (threads, connections); called in every case.

        failed=True when the run is being abandoned by an exception (what is pending may be dropped).
        """

    def parse(self, ctx):
        raise NotImplementedError

    def plan(self, ctx, parsed):
        """Decide create / update / unchanged; may add row errors (duplicates); returns the action."""
        raise NotImplementedError

    def stage(self, parsed):
        """Queue the write for a valid row (commit mode only)."""

    def flush(self):
        """Write what is queued."""

    def preview_cells(self, parsed):
        return {}


def run_import(importer, path, *, sheet=None, commit=False, progress=None, check=True, preview_rows=PREVIEW_ROWS):
    """Validate (and with commit=True, write) the workbook at `path`; returns a Result.

    Raises SpreadsheetError for a file that cannot be read at all (not xlsx, no header, too big).
    `progress(done, total)` is called every 500 rows of a dry run, and once at the end of any run: while
    a commit run writes, the connection may belong to the importer's background writer.
    """
    reader = SheetReader(path, importer.layout, sheet=sheet, check=check)
    problems = Problems()
    result = Result(kind=importer.layout.kind, sheet=reader.header.sheet, header_row=reader.header.row_index + 1)
    columns = [c for c in importer.layout.columns if c.name in reader.header.labels]
    preview = {"columns": [[c.name, reader.label(c.name)] for c in columns], "rows": []}
    try:
        with transaction.atomic() if commit else nullcontext():
            failed = True
            try:
                importer.begin(commit=commit, expected_rows=reader.total)
                for row in reader.rows():
                    result.rows += 1
                    ctx = RowContext(row, reader, problems)
                    parsed = importer.parse(ctx)
                    action = importer.plan(ctx, parsed) if ctx.ok else None
                    if commit and ctx.ok and not problems:
                        importer.stage(parsed)
                    if len(preview["rows"]) < preview_rows and (action != UNCHANGED or not ctx.ok):
                        preview["rows"].append(_preview_row(row, columns, ctx, action))
                    if progress and not commit and result.rows % 500 == 0:
                        progress(result.rows, reader.total)
                if commit and not problems:
                    try:
                        importer.flush()
                    except RowWriteError as error:
                        problems.add(error.row, error.column, error.message)
                failed = bool(problems)  # a run with problems is rolled back: nothing pending is needed
            finally:
                importer.end(failed=failed)
            if commit and problems:
                raise Rollback
    except Rollback:
        pass
    result.counts = {entity: dict(counter) for entity, counter in importer.counts.items()}
    result.problems = problems.items
    result.problem_count = problems.count
    result.preview = preview
    result.committed = commit and not problems
    if result.rows == 0 and not problems:
        result.problems = [{"row": 0, "column": "", "message": f"工作表“{result.sheet}”表头下没有数据行。"}]
        result.problem_count = 1
        result.committed = False
    if progress:
        progress(result.rows, reader.total)
    return result


def _preview_row(row, columns, ctx, action):
    return {
        "number": row.number,
        "action": action or "error",
        "cells": [[text(row.values.get(c.name)), ctx.errors.get(c.name, "")] for c in columns],
        "row_error": ctx.errors.get("", ""),
    }
