"""Which department a cell means: full name, short name or alias, with remarks and stray characters."""

import difflib
import re

from sanding.registry.models import Department

from .cells import CellError, cached, key, text

_REMARK = re.compile(r"[（(][^（）()]*[）)]")
_SEPARATORS = set("、，,；;\n")


def split_units(value):
    """Split a cell naming several units on 、，,；; — never inside a parenthesised remark."""
    parts, depth, current = [], 0, []
    for char in text(value):
        if char in "（(":
            depth += 1
        elif char in "）)":
            depth = max(depth - 1, 0)
        if char in _SEPARATORS and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


class UnitResolver:
    """Resolves unit names among one region's departments; built once per import (one query)."""

    def __init__(self, departments):
        self.by_key = {}
        self.names = []
        ambiguous = set()
        departments = list(departments)
        for department in departments:
            self.names.append(department.name)
            for name in self._names_of(department):
                k = key(name)
                if not k:
                    continue
                other = self.by_key.get(k)
                if other is not None and other.pk != department.pk:
                    ambiguous.add(k)
                self.by_key.setdefault(k, department)
        # A key shared by two departments resolves to neither; full names are never ambiguous.
        self.ambiguous = {k: [d.name for d in departments if k in map(key, self._names_of(d))] for k in ambiguous}
        for k in ambiguous:
            self.by_key.pop(k, None)
        for department in departments:
            self.by_key[key(department.name)] = department
            self.ambiguous.pop(key(department.name), None)
        self.keys = list(self.by_key)

    @staticmethod
    def _names_of(department):
        names = [department.name, department.short_name, *department.alias_list]
        region = department.region.name if department.region_id and hasattr(department, "region") else ""
        if region and department.name.startswith(region) and len(department.name) > len(region) + 1:
            names.append(department.name[len(region) :])
        return names

    @classmethod
    def for_region(cls, region):
        return cls(Department.objects.filter(region=region).select_related("region").order_by("pk"))

    def resolve_one(self, name):
        """The department named `name`, or CellError with the nearest known names."""
        candidates = [name, _REMARK.sub("", name)]
        for candidate in candidates:
            k = key(candidate)
            if k in self.by_key:
                return self.by_key[k]
            if k in self.ambiguous:
                raise CellError(f"“{name}”可能是多个单位（{'、'.join(self.ambiguous[k])}），请写全称")
        raise CellError(f"未找到单位“{name}”{self.suggest(candidates[-1])}")

    def suggest(self, name):
        k = key(name)
        close = difflib.get_close_matches(k, self.keys, n=3, cutoff=0.5)
        names = []
        for match in close:
            full = self.by_key[match].name
            if full not in names:
                names.append(full)
        return f"，是否为：{'、'.join(names)}？" if names else "，请先在部门台账中登记该单位或为其添加别名"

    def resolve(self, value):
        """(responsible, (cooperating, ...)) from a cell that may name several units; errors list every name.

        Remembered per cell value (see `cached`): a file names the same units over and over.
        """
        try:
            parse = self._resolve_cached
        except AttributeError:
            parse = self._resolve_cached = cached(self._resolve)
        return parse(value)

    def _resolve(self, value):
        names = split_units(value)
        found, problems = [], []
        for name in names:
            try:
                department = self.resolve_one(name)
            except CellError as error:
                problems.append(str(error))
            else:
                if department not in found:
                    found.append(department)
        if problems:
            raise CellError("；".join(problems))
        if not found:
            return None, ()
        return found[0], tuple(found[1:])

    def resolve_many(self, value):
        first, rest = self.resolve(value)
        return () if first is None else (first, *rest)


class ScopedUnitResolver:
    """Resolves unit names across a region and the regions below it (a city's file may name county units).

    The region's own units come first: a short name or alias found there is never ambiguous with a county
    unit of the same short name; the units of the regions below are tried next (full names are unique).
    """

    _DEFAULT_HINT = "，请先在部门台账中登记该单位或为其添加别名"

    def __init__(self, region, region_ids):
        departments = list(
            Department.objects.filter(region_id__in=region_ids).select_related("region").order_by("region__path", "pk")
        )
        self.resolvers = [UnitResolver(d for d in departments if d.region_id == region.pk)]
        below = [d for d in departments if d.region_id != region.pk]
        if below:
            self.resolvers.append(UnitResolver(below))

    def resolve_one(self, name):
        errors = []
        for resolver in self.resolvers:
            try:
                return resolver.resolve_one(name)
            except CellError as error:
                errors.append(str(error))
        ambiguous = [e for e in errors if "可能是多个单位" in e]
        hinted = [e for e in errors if not e.endswith(self._DEFAULT_HINT)]
        raise CellError((ambiguous or hinted or errors)[0])

    resolve = UnitResolver.resolve
    _resolve = UnitResolver._resolve
    resolve_many = UnitResolver.resolve_many
