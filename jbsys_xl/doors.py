"""How a message names the way to do what it asks, in the door the user came through.

A rule words its message once. Where its remedy is a command-line option or command, the local
page names its own field or step instead (documents.md §8: no CLI option on a page); only these
words differ between the doors, never the rule.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Door:
    year: str  # how to choose the year worked on
    year_given: str  # how to choose a named year ({year}), before what it then does
    jinbao: str  # where a 金保 export goes instead of the allocation workbook
    operator: str  # where the 抽取人 of a callback draw is given
    export_slot: str  # where a 金保 export goes when a 金保 step was given it as the workbook


CLI = Door(year="用 --year 指定年度", year_given="用 --year {year} ",
           jinbao="请用 jbsys-xl import 导入", operator="命令行用 --operator 姓名",
           export_slot="不是分配工作簿：命令的第一个文件应是分配工作簿，金保导出文件写在它后面")
PAGE = Door(year="在“考核年度”中填写年度", year_given="在“考核年度”中填写 {year} 后",
            jinbao="请在“导入金保数据”中选择", operator="请在“抽取人”中填写",
            export_slot="不是分配工作簿：请把它选在“金保导出文件”中，“分配工作簿”选填写数据的工作簿")
