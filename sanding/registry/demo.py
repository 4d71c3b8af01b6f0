"""Registry part of the demo city: regions, departments, 三定, units, duties, quotas, posts, plaques."""

import datetime

from sanding.core.demo import read_csv, upsert

from .choices import AssignmentRole, RegionLevel
from .models import (
    Department,
    Duty,
    DutyAssignment,
    InternalUnit,
    LeaderPost,
    Plaque,
    Region,
    Regulation,
    StaffingQuota,
)

REGIONS = [
    # code, name, short name, level, parent code
    ("YZ", "云州市", "云州", RegionLevel.CITY, None),
    ("YC", "云州市云城区", "云城", RegionLevel.COUNTY, "YZ"),
    ("DJ", "云州市东江县", "东江", RegionLevel.COUNTY, "YZ"),
]
YES = "是"


def load(*, stdout=None):
    regions = {}
    for code, name, short, level, parent in REGIONS:
        regions[name], _ = upsert(
            Region,
            {"code": code},
            {
                "name": name,
                "short_name": short,
                "level": level,
                "parent": regions_by_code(regions, parent),
            },
        )

    departments = {}
    rows = read_csv("departments.csv")
    for row in rows:
        departments[row["code"]], _ = upsert(
            Department,
            {"code": row["code"]},
            {
                "name": row["name"],
                "short_name": row["short_name"],
                "aliases": "、".join(a for a in row["aliases"].split("|") if a),
                "region": regions[row["region"]],
                "category": row["category"],
                "rank": row["rank"],
            },
        )
    for row in rows:  # parents after every department exists
        parent = departments.get(row["parent_code"])
        upsert(Department, {"code": row["code"]}, {"parent": parent})
        if row["regulation_doc_no"]:
            upsert(
                Regulation,
                {"department": departments[row["code"]], "doc_no": row["regulation_doc_no"]},
                {
                    "issued_on": datetime.date.fromisoformat(row["regulation_date"]),
                    "is_current": True,
                },
            )

    units = {}
    for seq, row in enumerate(read_csv("units.csv"), start=1):
        department = departments[row["department_code"]]
        units[(department.code, row["name"])], _ = upsert(
            InternalUnit,
            {"department": department, "name": row["name"], "archived": False},
            {"seq": seq, "in_regulation": row["in_regulation"] == YES, "actually_set": row["actually_set"] == YES},
        )

    current = {r.department_id: r for r in Regulation.objects.filter(is_current=True)}
    for row in read_csv("duties.csv"):
        department = departments[row["department_code"]]
        duty, _ = upsert(
            Duty,
            {"regulation": current[department.pk], "seq": int(row["seq"]), "archived": False},
            {"text": row["text"], "change_type": row["change_type"]},
        )
        lead = units.get((department.code, row["lead_unit"]))
        if lead:
            upsert(DutyAssignment, {"duty": duty, "unit": lead}, {"role": AssignmentRole.LEAD})

    for row in read_csv("staffing.csv"):
        upsert(
            StaffingQuota,
            {"department": departments[row["department_code"]], "type": row["type"]},
            {"approved": int(row["approved"]), "actual": int(row["actual"])},
        )
    for row in read_csv("leader_posts.csv"):
        upsert(
            LeaderPost,
            {"department": departments[row["department_code"]], "level": row["level"]},
            {"approved": int(row["approved"]), "actual": int(row["actual"])},
        )
    for row in read_csv("plaques.csv"):
        upsert(
            Plaque,
            {"department": departments[row["department_code"]], "name": row["plaque"]},
            {"authorised": row["authorised"] == YES, "hung": row["hung"] == YES},
        )
    if stdout:
        stdout.write(f"登记册：{len(regions)} 个区划，{len(departments)} 个部门，{len(units)} 个内设机构。")


def regions_by_code(regions, code):
    if code is None:
        return None
    return next(r for r in regions.values() if r.code == code)
