"""Ledger part of the demo city: about 60 issues across the nine categories and three regions.

Deterministic (fixed seed, dates relative to today) and idempotent (rows keyed by code / seq).
"""

import datetime
import random

from django.utils import timezone

from sanding.accounts.models import User
from sanding.core.demo import upsert
from sanding.registry.models import Department, Region

from .choices import Action, Kind, Severity, Source, Status
from .models import Issue, IssueCategory, IssueCooperation, ProgressReport, Rectification, RectificationEvent
from .services import issue_code

SEED = 20261123
ISSUES_PER_REGION = {"YZ": 30, "YC": 15, "DJ": 15}
STAFF = {"YZ": "staff", "YC": "staff-yc", "DJ": "staff-dj"}

PROBLEMS = {
    "部门职能不理顺": [
        "“三定”规定明确的{duty}职能未完全承接，相关工作仍由原部门代管。",
        "机构改革后划入的{duty}职能尚未落实到具体科室，履职存在空档。",
    ],
    "工作职责未明确": [
        "{duty}相关工作职责表述笼统，内设机构之间分工不明确。",
        "新增的{duty}职责未在内设机构职责中细化，责任人不清。",
    ],
    "部门间职责边界不清": [
        "{duty}事项与相关部门职责交叉，12345热线工单多次退单。",
        "{duty}领域牵头部门与配合部门边界不清，出现推诿扯皮。",
    ],
    "部门内部职责不理顺": [
        "内设机构之间{duty}工作分工重叠，存在多头管理。",
        "{duty}工作在两个科室之间来回流转，办理时限超期。",
    ],
    "工作流程有待进一步优化": [
        "{duty}审批流程环节过多，群众办事时间长。",
        "{duty}事项办理缺少标准化流程和时限要求。",
    ],
    "议事协调机构协调配合不畅": [
        "{duty}领导小组成员单位配合不够，会议制度未落实。",
        "{duty}议事协调机构办公室设置不明确，日常工作无人牵头。",
    ],
    "基层管理体制机制不理顺": [
        "{duty}执法力量下沉乡镇（街道）后，上下职责衔接不畅。",
        "乡镇（街道）承接{duty}事项后缺乏人员和经费保障。",
    ],
    "编制人员管理": [
        "实有人员超出核定编制，{duty}岗位存在混编混岗。",
        "领导职数超配，内设机构负责人配备与“三定”规定不符。",
    ],
    "机构编制违规违纪": [
        "擅自增设内设机构，{duty}工作专班未经机构编制部门批准。",
        "对外挂牌未经批准，{duty}相关牌子与“三定”规定不一致。",
    ],
}
DUTIES = [
    "食品安全监管",
    "安全生产",
    "防汛抗旱",
    "森林防火",
    "政务服务",
    "城市管理",
    "生态环境保护",
    "行政审批",
    "乡村振兴",
    "统计调查",
]
MEASURES = [
    "对照“三定”规定梳理职责清单，明确牵头科室和责任人，报编办备案。",
    "会同相关部门签订职责边界备忘录，建立联席会议制度。",
    "修订内部工作规程，明确办理时限并在门户网站公开。",
    "调整内设机构职责分工，按程序报批后实施。",
    "清理规范超配人员和职数，制定消化方案并按季度报送进展。",
    "撤销未经批准的工作专班和牌子，规范机构名称使用。",
    "建立工作台账，实行周调度、月通报，确保按期完成。",
]
PEOPLE = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周强", "吴婷"]
SOURCES = [Source.SELF_CHECK, Source.INSPECTION, Source.LOOK_BACK, Source.HOTLINE, Source.AUDIT, Source.AUTO_CHECK]
# Status mix (most open, a fair share closed); overdue and yellow come from the deadlines below.
STATUS_MIX = [Status.NOT_STARTED] * 2 + [Status.IN_PROGRESS] * 5 + [Status.APPLIED] * 2 + [Status.CLOSED] * 4


def load(*, stdout=None):
    rng = random.Random(SEED)
    on = timezone.localdate()
    categories = list(IssueCategory.objects.order_by("seq", "pk"))
    if not categories:
        return
    regions = {r.code: r for r in Region.objects.filter(code__in=ISSUES_PER_REGION)}
    staff = {u.username: u for u in User.objects.filter(username__in=STAFF.values())}
    clerks = {u.department_id: u for u in User.objects.filter(username__startswith="d-")}
    created = 0
    n = 0
    for code, count in ISSUES_PER_REGION.items():
        region = regions.get(code)
        if region is None:
            continue
        departments = list(Department.objects.filter(region=region).order_by("code"))
        actor = staff.get(STAFF[code])
        for i in range(1, count + 1):
            category = categories[n % len(categories)]
            n += 1
            department = departments[rng.randrange(len(departments))]
            others = [d for d in departments if d.pk != department.pk]
            cooperating = rng.sample(others, k=rng.choice([0, 0, 1, 2]))
            found_on = on - datetime.timedelta(days=rng.randint(40, 330))
            duty = rng.choice(DUTIES)
            description = rng.choice(PROBLEMS.get(category.name, ["{duty}工作存在问题。"])).format(duty=duty)
            year = found_on.year
            seq = i
            issue, changed = upsert(
                Issue,
                {"code": issue_code(region, year, seq)},
                {
                    "region": region,
                    "year": year,
                    "seq": seq,
                    "description": description,
                    "category": category,
                    "source": rng.choice(SOURCES),
                    "department": department,
                    "found_on": found_on,
                    "severity": rng.choice([Severity.NORMAL] * 3 + [Severity.SERIOUS, Severity.GRAVE]),
                    "created_by": actor,
                },
            )
            created += changed
            for d in cooperating:
                IssueCooperation.objects.get_or_create(issue=issue, department=d)
            for r_seq in range(1, rng.choice([1, 1, 2]) + 1):
                _rectification(rng, issue, r_seq, department, found_on, on, actor, clerks.get(department.pk))
    if stdout:
        stdout.write(
            f"问题台账：{Issue.objects.count()} 个问题，{Rectification.objects.count()} 项整改事项"
            f"（本次新建或更新 {created} 个问题）。"
        )


def _at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _rectification(rng, issue, seq, department, found_on, on, staff, clerk):
    status = rng.choice(STATUS_MIX)
    kind = rng.choice([Kind.DEADLINE] * 8 + [Kind.IMMEDIATE, Kind.ONGOING])
    # Deadlines from 60 days ago to 150 days ahead: some overdue, some within the yellow window.
    deadline = on + datetime.timedelta(days=rng.choice([-60, -35, -12, -3, 1, 2, 3, 6, 15, 30, 45, 70, 100, 150]))
    if kind == Kind.ONGOING:
        deadline = None
    started = found_on + datetime.timedelta(days=rng.randint(3, 20))
    closed_on = min(on - datetime.timedelta(days=1), started + datetime.timedelta(days=rng.randint(20, 200)))
    measures = rng.choice(MEASURES)
    values = {
        "region_id": issue.region_id,
        "category_id": issue.category_id,
        "measures": measures,
        "department": department,
        "responsible_person": rng.choice(PEOPLE),
        "kind": kind,
        "deadline": deadline,
        "review_interval_days": 90 if kind == Kind.ONGOING else None,
        "status": status,
        "flagged": rng.random() < 0.15,
        "summary": "已按整改措施完成整改，相关制度文件已印发，佐证材料见附件。"
        if status in (Status.APPLIED, Status.CLOSED)
        else "",
        "closed_at": _at(closed_on, 16) if status == Status.CLOSED else None,
        "notes": "",
    }
    item, _ = upsert(Rectification, {"issue": issue, "seq": seq}, values)
    text = item.build_search_text(issue)
    Rectification.objects.filter(pk=item.pk).update(search_text=text, created_at=_at(found_on, 9))
    if item.events.exists():
        return
    events = [(Action.CREATE, "", Status.NOT_STARTED, staff, found_on, "")]
    if status != Status.NOT_STARTED:
        events.append((Action.START, Status.NOT_STARTED, Status.IN_PROGRESS, clerk or staff, started, "报送整改进展"))
    percents = {Status.IN_PROGRESS: [30, 60], Status.APPLIED: [50, 100], Status.CLOSED: [60, 100]}.get(status, [])
    for k, percent in enumerate(percents):
        day = min(on, started + datetime.timedelta(days=15 * (k + 1)))
        ProgressReport.objects.get_or_create(
            rectification=item,
            reported_on=day,
            defaults={
                "text": "已完成职责梳理和制度起草。" if percent < 100 else "整改措施全部落实，制度文件已印发。",
                "percent": percent,
                "author": clerk or staff,
            },
        )
        events.append((Action.PROGRESS, "", "", clerk or staff, day, f"{percent}%"))
    if status in (Status.APPLIED, Status.CLOSED):
        apply_day = min(on, started + datetime.timedelta(days=35))
        events.append((Action.APPLY, Status.IN_PROGRESS, Status.APPLIED, clerk or staff, apply_day, values["summary"]))
    if status == Status.CLOSED:
        events.append((Action.CLOSE, Status.APPLIED, Status.CLOSED, staff, closed_on, "材料齐全，核验通过。"))
    RectificationEvent.objects.bulk_create(
        [
            RectificationEvent(
                rectification=item,
                actor=actor,
                at=_at(day, 10 + k % 6),
                action=a,
                from_status=f,
                to_status=t,
                comment=c,
            )
            for k, (a, f, t, actor, day, c) in enumerate(events)
        ]
    )
