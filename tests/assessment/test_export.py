import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from sanding.assessment import services
from sanding.assessment.choices import RoundState
from tests.assessment.conftest import fill_and_submit


def test_export_round_command_writes_one_row_per_department(
    tmp_path, open_round, assessment, other_assessment, clerk, other_clerk, staff_user, checklist
):
    fill_and_submit(assessment, clerk, checklist, **{"1_2": "6"})
    fill_and_submit(other_assessment, other_clerk, checklist, **{"2_1": "0"})
    services.assessment_approve(actor=staff_user, assessment=assessment)
    services.assessment_approve(actor=staff_user, assessment=other_assessment)
    services.round_transition(actor=staff_user, round_=open_round, to_state=RoundState.REVIEWING)
    services.round_transition(actor=staff_user, round_=open_round, to_state=RoundState.CLOSED)
    target = tmp_path / "out.xlsx"
    out = io.StringIO()
    call_command("export_round", "--latest-closed", str(target), stdout=out)
    assert out.getvalue().strip() == f"已导出“{open_round.name}”（2 个部门）到 {target}"
    ws = load_workbook(target).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == open_round.name
    assert rows[1] == ["部门", "部门类别", "职能配置", "机构编制", "总分", "得分率 (%)", "等级", "排名"]
    assert rows[2:] == [
        ["云州市市场监督管理局", "政府工作部门", 22, 14, 36, 90, "★★★★★", 1],
        ["云州市统计局", "政府工作部门", 26, 10, 36, 90, "★（一票否决：未擅自增设机构）", 1],
    ]
    target2 = tmp_path / "by-id.xlsx"
    call_command("export_round", "--round", str(open_round.pk), str(target2), stdout=io.StringIO())
    assert [list(r) for r in load_workbook(target2).active.iter_rows(values_only=True)] == rows


def test_export_round_command_errors(tmp_path, open_round):
    with pytest.raises(CommandError, match="没有已结束的轮次。"):
        call_command("export_round", "--latest-closed", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="轮次 999999 不存在。"):
        call_command("export_round", "--round", "999999", str(tmp_path / "x.xlsx"))


def test_values_are_decimal_in_the_database(open_round, assessment, clerk, staff_user, checklist):
    fill_and_submit(assessment, clerk, checklist, **{"1_2": "6.5"})
    result = services.assessment_approve(actor=staff_user, assessment=assessment)
    assert isinstance(result.total_score, Decimal)
    assert result.total_score == Decimal("36.5")
