"""Where a line of a table's text may break, so that no header or name is cut inside a word
(documents.md §0, v4 tables: never 中心编/码, 评定等/次, 一票否/决, 有理投/诉数).

A text is a list of pieces that are never broken: a header by the fixed table HEADERS (中心|编码,
有理|投诉数), a name at the places a Chinese reader breaks one — after the unit that ends a place
or an office (雕庄街道|人社服务中心|（示例数据）, 常州市|天宁区|…|办事处, 中国工商银行|股份有限公司|
常州天宁支行), a number or code whole (an account number only at its spaces and hyphens), running
text after its punctuation. A writer then puts as many pieces on a line as fit and widens a column
rather than cut a piece; only a piece wider than the widest column it may have is cut, between
characters, as LibreOffice would do anyway (so a row's height is still counted right).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Headers of the table documents with the places their lines may break ("|"). A header that is
# not here breaks only where a name would (before a bracket), else it stays on one line.
HEADERS = {header.replace("|", ""): tuple(header.split("|")) for header in (
    "中心|编码", "中心|名称", "所属区", "评定|等次", "一票|否决", "基础|达标|奖励", "工作量|补助|（应得）",
    "工作量|补助|（实得）", "有理|投诉数", "投诉|扣减", "差错|扣减", "再分配", "优胜|奖励", "优胜|状态",
    "综合|优胜", "收款|单位", "统一社会|信用代码", "开户|银行", "银行|账号", "金额|（元）", "预算|补助",
    "计划|投入", "实际|投入", "已备案", "备案|日期", "项目|名称", "处理|决定", "决定|说明", "收到|日期",
    "异议|内容", "处理|结果", "处理|说明", "处理|日期", "原|合计", "新|合计", "变化|原因", "支付|方式",
    "功能分类|科目", "预算指标|文号", "事项|名称", "合计|（计入|因素得分）", "序号", "项目", "说明",
    "用途", "备注")}

# Endings after which a name may break: a place or an office ends there.
ENDINGS = ("街道", "办事处", "人民政府", "镇", "乡", "区", "县", "市", "社区", "服务中心", "中心", "服务站",
           "保障所", "人社所", "银行", "分行", "支行", "营业部", "公司", "局", "委员会")
# … and before these, after a place's own name (雕庄|街道, 龙虎塘|街道|人社服务中心): the unit is a
# word of its own
UNITS = ("街道", "办事处", "人民政府", "服务中心", "股份有限公司", "有限公司", "分行", "支行")
OPENING = "（(〔【《“"  # a line may break before these …
CLOSING = "，。；、：）)〕】》”！？,.;:"  # … and after these, never before them
PARTICLES = "的"  # a phrase ends after 的 (转出人员的|缴费基数明细)
_ENDING = re.compile("|".join(sorted(map(re.escape, ENDINGS), key=len, reverse=True)))


def wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"


@lru_cache(maxsize=65536)
def pieces(text: str) -> tuple[str, ...]:
    """``text`` as the pieces a line never breaks inside, in order (they join to ``text``)."""
    if text in HEADERS:
        return HEADERS[text]
    cuts = {0, len(text)}
    for match in _ENDING.finditer(text):
        cuts.add(match.end())
        if match.group() in UNITS:
            cuts.add(match.start())
    for index, char in enumerate(text):
        if char in OPENING:
            cuts.add(index)
        elif (char in CLOSING or char in " -" + PARTICLES) and not _inside_number(text, index):
            cuts.add(index + 1)
        elif index and (wide(char) != wide(text[index - 1])) and not _latin_run(text, index):
            cuts.add(index)  # between a number and Chinese text (2024年 stays whole)
    ordered = sorted(cuts)
    found = [text[a:b] for a, b in zip(ordered, ordered[1:])]
    merged: list[str] = []
    for piece in found:  # a lone character goes with its neighbour: 邹区|镇 → 邹区镇
        if merged and (_chars(piece) < 2 or piece[0] in CLOSING or merged[-1][-1] in OPENING):
            merged[-1] += piece
        else:
            merged.append(piece)
    if len(merged) > 1 and _chars(merged[0]) < 2:
        merged[:2] = [merged[0] + merged[1]]
    return tuple(merged)


def _latin_run(text: str, index: int) -> bool:
    """A number or code running into a unit (2024年, 5个, 12.5%): no break between them."""
    before, after = text[index - 1], text[index]
    return before.isdigit() and after in "年月日号个件项元万%"


def _inside_number(text: str, index: int) -> bool:
    """A separator between two digits (1,747,420.97; 2024-12-20; 12:30) is part of a number."""
    return 0 < index < len(text) - 1 and text[index - 1].isdigit() and text[index + 1].isdigit() \
        and text[index] in ",.:-"


def _chars(piece: str) -> int:
    """Characters that are not spaces: a piece of one such character is too short to stand."""
    return len(piece.strip())


def allowed(text: str) -> set[int]:
    """The offsets in ``text`` where a line may end (for the tests: a printed break is one)."""
    offsets, at = set(), 0
    for piece in pieces(text)[:-1]:
        at += len(piece)
        offsets.add(at)
    return offsets


def wrap(text: str, fits) -> list[str]:
    """``text`` on lines that each satisfy ``fits(line)``: whole pieces, as many to a line as fit;
    a piece that fits no line alone is cut between characters (CLOSING never starts a line)."""
    lines: list[str] = []
    line = ""
    for piece in pieces(text):
        candidate = line + piece
        if fits(candidate.rstrip()):
            line = candidate
            continue
        if line:
            lines.append(line.rstrip())
            line = ""
        piece = piece.lstrip() if lines else piece
        if fits(piece.rstrip()):
            line = piece
            continue
        for char in piece:  # too long for any line: cut it, as a typesetter must
            if line and not fits(line + char) and char not in CLOSING:
                lines.append(line)
                line = ""
            line += char
    if line or not lines:
        lines.append(line.rstrip())
    return lines
