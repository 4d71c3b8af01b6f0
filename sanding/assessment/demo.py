"""Assessment part of the demo city: two ready checklists, a closed round with published results and an
open round with forms in every state. Deterministic (seeded by department code) and idempotent: the
checklists are upserted, and a round that already exists is left alone.
"""

import datetime
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from sanding.accounts.models import User
from sanding.core.demo import upsert
from sanding.registry.models import Department, Region

from . import services
from .choices import AssessmentState, ChecklistStatus, Method, RoundState, ScoringRule
from .models import Assessment, Checklist, GradeBand, Item, ItemCategoryRule, Round, Section

Y, S, D = ScoringRule.YES_NO, ScoringRule.SCALE, ScoringRule.DEDUCTION

# (section title, [(code, text, guidance, rule, max, step or deduction, evidence, n/a allowed, veto)])
STANDARD = [
    (
        "职能配置与职责履行",
        [
            (
                "1.1",
                "“三定”规定明确的主要职责全面履行，无缺位、越位、错位",
                "对照“三定”规定逐项核查履职情况，每项职责有工作载体和成效。全面履行得满分；个别职责履行不到位的每项扣0.5—1分。",
                S,
                "8",
                "0.5",
                True,
                False,
                False,
            ),
            (
                "1.2",
                "主要职责分解到内设机构和岗位，形成部门职责清单",
                "职责清单完整、与“三定”一致并对外公布的得满分，否则不得分。",
                Y,
                "5",
                None,
                True,
                False,
                False,
            ),
            (
                "1.3",
                "职责边界清单中的牵头事项主动牵头、协办事项配合到位",
                "查阅会议纪要、联合发文等。发现牵头不力或配合不到位的，每处扣2分，扣完为止。",
                D,
                "6",
                "2",
                False,
                False,
                False,
            ),
            (
                "1.4",
                "划入职责承接到位，划出职责移交到位",
                "机构改革涉及职责划转的，查看交接清单和承接后的履职情况。未涉及职责划转的可选“不适用”。",
                S,
                "5",
                "1",
                False,
                True,
                False,
            ),
            (
                "1.5",
                "已取消和下放的职责不再行使，对下放事项加强指导监督",
                "发现仍在行使已取消职责或下放后“一放了之”的不得分。未涉及的可选“不适用”。",
                Y,
                "3",
                None,
                False,
                True,
                False,
            ),
            (
                "1.6",
                "职责分歧按程序协商解决，不推诿扯皮",
                "结合12345热线退单、督查通报情况，每发现一起推诿扯皮扣1分，扣完为止。",
                D,
                "3",
                "1",
                False,
                False,
                False,
            ),
        ],
    ),
    (
        "内设机构设置",
        [
            (
                "2.1",
                "内设机构名称、数量、规格与“三定”规定一致",
                "实设内设机构与批准一致的得满分，名称或规格不一致的不得分。",
                Y,
                "6",
                None,
                False,
                False,
                False,
            ),
            (
                "2.2",
                "未擅自增设、变相增设内设机构或加挂科室牌子",
                "发现擅自增设、变相增设内设机构的，实行一票否决。",
                Y,
                "4",
                None,
                False,
                False,
                True,
            ),
            (
                "2.3",
                "部门职责逐项分解到内设机构，主办、协办关系明确",
                "职责全部分解到科室且主办唯一的得满分；有职责未分解到科室的，每项扣0.5分。",
                S,
                "5",
                "0.5",
                False,
                False,
                False,
            ),
            (
                "2.4",
                "内设机构之间职责交叉、推诿问题已理顺",
                "每发现一处职责交叉未理顺扣1分，扣完为止。",
                D,
                "3",
                "1",
                False,
                False,
                False,
            ),
            (
                "2.5",
                "所属事业单位机构设置规范，无“事业单位行政化”",
                "无所属事业单位的可选“不适用”。",
                Y,
                "2",
                None,
                False,
                True,
                False,
            ),
        ],
    ),
    (
        "人员编制与领导职数",
        [
            (
                "3.1",
                "实有人员未超出核定编制，无超编进人",
                "以实名制系统数据为准。各类编制均未超编的得满分，存在超编的不得分。",
                Y,
                "6",
                None,
                True,
                False,
                False,
            ),
            (
                "3.2",
                "领导职数配备未超出核定数，无超职数配备",
                "存在超职数配备领导干部的，实行一票否决。",
                Y,
                "5",
                None,
                False,
                False,
                True,
            ),
            (
                "3.3",
                "编制使用按规定程序报批，用编进人计划执行到位",
                "查阅用编审批单。程序完整的得满分，视情况酌情扣分。",
                S,
                "4",
                "0.5",
                False,
                False,
                False,
            ),
            (
                "3.4",
                "空编合理使用，重点领域和基层一线用编得到保障",
                "空编长期闲置或使用方向不合理的酌情扣分。",
                S,
                "3",
                "0.5",
                False,
                False,
                False,
            ),
            (
                "3.5",
                "机构编制实名制信息及时、准确更新",
                "抽查人员信息，每发现一处信息不一致扣0.5分，扣完为止。",
                D,
                "4",
                "0.5",
                False,
                False,
                False,
            ),
            (
                "3.6",
                "无混编混岗，借调人员按规定审批和管理",
                "每发现一人次违规借调或混岗扣1分，扣完为止。",
                D,
                "3",
                "1",
                False,
                False,
                False,
            ),
        ],
    ),
    (
        "机构挂牌与规范",
        [
            (
                "4.1",
                "机构牌子名称与批准的机构名称一致",
                "现场查看牌子，一致的得满分，否则不得分。",
                Y,
                "4",
                None,
                False,
                False,
                False,
            ),
            (
                "4.2",
                "未擅自加挂牌子，批准加挂的牌子已挂牌",
                "存在未经批准挂牌或批准未挂的不得分。",
                Y,
                "3",
                None,
                False,
                False,
                False,
            ),
            (
                "4.3",
                "印章、门户网站、办事指南中的机构名称和职责表述已更新",
                "每发现一处未更新扣1分，扣完为止。",
                D,
                "4",
                "1",
                False,
                False,
                False,
            ),
            (
                "4.4",
                "“三定”规定按要求向社会公开",
                "在门户网站公开的得满分。党委工作机关不考核此项。",
                Y,
                "2",
                None,
                False,
                False,
                False,
            ),
            (
                "4.5",
                "机构编制事项调整后及时公开、及时报备",
                "视公开和报备的及时性酌情打分。",
                S,
                "2",
                "0.5",
                False,
                False,
                False,
            ),
        ],
    ),
    (
        "议事协调机构",
        [
            (
                "5.1",
                "牵头的议事协调机构均经批准设立，未擅自设立",
                "未牵头任何议事协调机构的可选“不适用”。",
                Y,
                "4",
                None,
                False,
                True,
                False,
            ),
            (
                "5.2",
                "议事规则和工作制度健全，按规定召开会议",
                "查阅议事规则和会议纪要，视情况酌情打分。",
                S,
                "3",
                "0.5",
                False,
                True,
                False,
            ),
            (
                "5.3",
                "办公室设置和人员配备符合规定，已撤并机构的工作移交到位",
                "视情况酌情打分。",
                S,
                "3",
                "0.5",
                False,
                True,
                False,
            ),
        ],
    ),
]

CORE = [
    (
        "核心职能履职目标",
        [
            (
                "1.1",
                "年度核心职能履职目标明确具体、可量化",
                "目标清晰可考核的得满分，酌情扣分。",
                S,
                "10",
                "1",
                True,
                False,
                False,
            ),
            (
                "1.2",
                "履职目标与“三定”规定主要职责对应",
                "每项目标能对应到“三定”职责条目的得满分。",
                S,
                "10",
                "1",
                False,
                False,
                False,
            ),
            (
                "1.3",
                "履职目标纳入部门年度工作计划并分解落实",
                "纳入计划并分解到科室的得满分。",
                S,
                "10",
                "1",
                False,
                False,
                False,
            ),
        ],
    ),
    (
        "进展情况",
        [
            ("2.1", "各项目标按时间节点推进", "按期完成的得满分，每滞后一项扣3分。", D, "15", "3", False, False, False),
            ("2.2", "履职成效明显，可用数据说明", "成效突出的得满分，酌情扣分。", S, "15", "1", True, False, False),
            ("2.3", "发现的问题整改到位", "整改完成率100%的得满分。", S, "10", "1", False, False, False),
        ],
    ),
    (
        "创先争优情况",
        [
            ("3.1", "有创新举措或改革经验", "有市级以上认可的创新举措得满分。", S, "10", "1", False, False, False),
            (
                "3.2",
                "获得上级表彰或通报表扬",
                "获国家级、省级、市级表彰分别得10、8、6分。",
                S,
                "10",
                "2",
                False,
                False,
                False,
            ),
            ("3.3", "工作经验被上级推广或媒体宣传", "被推广或宣传的得满分。", S, "10", "1", False, False, False),
        ],
    ),
]
CORE_BANDS = [
    (Decimal("90"), "优秀", 0),
    (Decimal("80"), "良好", 0),
    (Decimal("60"), "一般", 0),
    (Decimal("0"), "较差", 0),
]

STANDARD_NAME = "“三定”规定落实情况自查评分表"
CORE_NAME = "核心职能履行评估表"
CLOSED_ROUND = "2025年第一季度“三定”落实情况自查评估"
OPEN_ROUND = "2025年第二季度“三定”落实情况自查评估"

EXPLANATIONS = [
    "已对照“三定”规定逐项梳理，相关制度和台账齐全。",
    "本季度已召开专题会议研究部署，落实情况良好。",
    "已完成自查，个别事项正在整改完善中。",
    "相关工作已纳入年度计划，按节点推进。",
    "经核查无此类问题，相关材料已归档备查。",
]
REVIEW_COMMENTS = [
    "佐证材料不够充分，酌情扣分。",
    "现场回访发现个别问题未整改到位。",
    "与实名制系统数据不一致，已扣分。",
]


def _pdf(title):
    """A tiny valid PDF, for demo evidence."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\n"
        b"% " + title.encode() + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def _checklist(region, name, description, categories, sections, bands=None):
    checklist, _ = upsert(
        Checklist,
        {"region": region, "name": name, "edition": 1},
        {"description": description, "categories": categories},
    )
    for s_seq, (title, items) in enumerate(sections, start=1):
        section, _ = upsert(Section, {"checklist": checklist, "seq": s_seq}, {"title": title})
        for i_seq, (code, text, guidance, rule, max_, extra, evidence, na, veto) in enumerate(items, start=1):
            upsert(
                Item,
                {"section": section, "code": code},
                {
                    "seq": i_seq,
                    "text": text,
                    "guidance": guidance,
                    "rule": rule,
                    "max_points": Decimal(max_),
                    "step": Decimal(extra) if rule == S else None,
                    "deduction": Decimal(extra) if rule == D else None,
                    "evidence_required": evidence,
                    "na_allowed": na,
                    "is_veto": veto,
                },
            )
    for p, label, stars in bands or services.scoring.DEFAULT_BANDS:
        upsert(GradeBand, {"checklist": checklist, "min_percent": p}, {"label": label, "stars": stars})
    if checklist.status != ChecklistStatus.PUBLISHED:
        checklist, _ = upsert(
            Checklist,
            {"pk": checklist.pk},
            {"status": ChecklistStatus.PUBLISHED, "published_at": services.timezone.now()},
        )
    return checklist


def _answer_value(rng, item, max_points, *, good):
    """A plausible self-assessment input for an item; `good` departments score higher."""
    if item.rule == Y:
        return "1" if rng.random() < (0.95 if good else 0.8) or item.is_veto else "0"
    if item.rule == S:
        steps = int(max_points / item.step)
        low = int(steps * (0.75 if good else 0.55))
        return str((item.step * rng.randint(low, steps)).normalize())
    return str(rng.choice([0, 0, 0, 1] if good else [0, 0, 1, 1, 2]))


def _fill(assessment, sections, clerk, rng, *, complete=True, fraction=1.0):
    """Fill a form as the clerk: answers, explanations and PDFs for items that need evidence."""
    good = rng.random() < 0.7
    inputs, files = {}, {}
    rows = [(s, item) for s in sections for item in s.items.all()]
    for index, (_, item) in enumerate(rows):
        max_points = services.selectors.effective_max(item, assessment.category)
        if max_points is None:
            continue
        if not complete and index >= int(len(rows) * fraction):
            break
        if item.na_allowed and rng.random() < 0.15:
            inputs[item.pk] = services.AnswerInput(not_applicable=True, na_reason="本部门不涉及该项工作。")
            continue
        inputs[item.pk] = services.AnswerInput(
            value=_answer_value(rng, item, max_points, good=good), explanation=rng.choice(EXPLANATIONS)
        )
        if item.evidence_required:
            name = f"{assessment.department.short_name or assessment.department.code}-{item.code}-佐证材料.pdf"
            files[item.pk] = SimpleUploadedFile(name, _pdf(f"{assessment.department.code} {item.code}"))
    services.assessment_save_draft(actor=clerk, assessment=assessment, inputs=inputs, files=files)


def _review(assessment, sections, reviewer, rng):
    """Lower a few scores by a step or a finding, with a comment."""
    inputs = {}
    answers = {a.item_id: a for a in assessment.answers.all()}
    for s in sections:
        for item in s.items.all():
            answer = answers.get(item.pk)
            if answer is None or answer.not_applicable or answer.self_score is None or rng.random() > 0.2:
                continue
            if item.rule == S and answer.self_score >= item.step:
                value = str((answer.self_score - item.step).normalize())
            elif item.rule == D:
                value = str(int(answer.self_value or 0) + 1)
            else:
                continue
            inputs[item.pk] = services.ReviewInput(value=value, comment=rng.choice(REVIEW_COMMENTS))
    if inputs:
        services.assessment_review_save(actor=reviewer, assessment=assessment, inputs=inputs)


def _run(round_name, *, region, checklist, departments, staff, closed, stdout):
    if Round.objects.filter(region=region, name=round_name).exists():
        return False
    # The demo replays both rounds today, so filling runs against deadlines still ahead; the closed
    # round gets its quarter's dates back (edited by staff, as in real use) before it closes.
    today = services.timezone.localdate()
    round_ = Round(
        region=region,
        name=round_name,
        checklist=checklist,
        fill_deadline=today + datetime.timedelta(days=21),
        review_deadline=today + datetime.timedelta(days=35),
    )
    services.round_create(actor=staff, round_=round_, departments=departments)
    assessments = list(
        Assessment.objects.filter(round=round_).select_related("department", "round").order_by("department__code")
    )
    on_site = [a for i, a in enumerate(assessments) if i % 4 == 0]
    services.round_assign(actor=staff, round_=round_, assessments=on_site, method=Method.ON_SITE)
    services.round_assign(actor=staff, round_=round_, assessments=assessments[::2], reviewers=[staff])
    services.round_transition(actor=staff, round_=round_, to_state=RoundState.OPEN, comment="通知各部门开始自查")
    sections = services.selectors.checklist_structure(checklist)
    clerks = {u.department_id: u for u in User.objects.filter(department__in=[a.department_id for a in assessments])}
    for index, assessment in enumerate(assessments):
        rng = random.Random(f"{round_name}/{assessment.department.code}")
        clerk = clerks.get(assessment.department_id)
        if clerk is None:
            continue
        assessment.round = round_
        if closed:
            target = AssessmentState.SUBMITTED if index in (5, 17) else AssessmentState.APPROVED
        elif assessment.department.code == "YZ030":
            target = AssessmentState.IN_PROGRESS  # the demo clerk d-YZ030 has a form to finish
        else:
            target = [
                AssessmentState.NOT_STARTED,
                AssessmentState.IN_PROGRESS,
                AssessmentState.SUBMITTED,
                AssessmentState.RETURNED,
                AssessmentState.APPROVED,
            ][index % 5]
        if target == AssessmentState.NOT_STARTED:
            continue
        if target == AssessmentState.IN_PROGRESS:
            if not closed and assessment.department.code == "YZ030":
                services.assessment_carry_over(actor=clerk, assessment=assessment)
                continue
            _fill(assessment, sections, clerk, rng, complete=False, fraction=0.5)
            continue
        _fill(assessment, sections, clerk, rng)
        services.assessment_submit(actor=clerk, assessment=assessment)
        if target == AssessmentState.SUBMITTED:
            continue
        if rng.random() < 0.3 or target == AssessmentState.RETURNED:
            services.assessment_return(
                actor=staff, assessment=assessment, reason="部分条目自评说明过于简单，请补充具体做法和佐证材料。"
            )
            if target == AssessmentState.RETURNED:
                continue
            services.assessment_submit(actor=clerk, assessment=assessment)
        _review(assessment, sections, staff, rng)
        services.assessment_approve(actor=staff, assessment=assessment)
    if closed:
        services.round_transition(actor=staff, round_=round_, to_state=RoundState.REVIEWING)
        round_.refresh_from_db()
        round_.fill_deadline, round_.review_deadline = datetime.date(2025, 3, 31), datetime.date(2025, 4, 15)
        services.round_update(actor=staff, round_=round_)
        services.round_transition(actor=staff, round_=round_, to_state=RoundState.CLOSED, comment="本轮评估结束")
        services.round_publish(actor=staff, round_=round_)
    if stdout:
        stdout.write(f"自查评估：创建轮次“{round_name}”（{len(assessments)} 个部门）。")
    return True


def load(*, stdout=None):
    city = Region.objects.get(code="YZ")
    staff = User.objects.get(username="staff")
    standard = _checklist(
        city,
        STANDARD_NAME,
        "按季度开展的“三定”规定落实情况自查评估，五个方面25项，满分100分。",
        [],
        STANDARD,
    )
    item = Item.objects.get(section__checklist=standard, code="4.4")
    upsert(ItemCategoryRule, {"item": item, "category": "党委工作机关"}, {"excluded": True, "max_points": None})
    _checklist(
        city,
        CORE_NAME,
        "核心职能履行情况评估：履职目标、进展情况、创先争优三个方面，各三项指标，满分100分。",
        [],
        CORE,
        bands=CORE_BANDS,
    )
    departments = list(Department.objects.filter(region=city).active().order_by("code"))
    _run(
        CLOSED_ROUND, region=city, checklist=standard, departments=departments, staff=staff, closed=True, stdout=stdout
    )
    _run(OPEN_ROUND, region=city, checklist=standard, departments=departments, staff=staff, closed=False, stdout=stdout)
