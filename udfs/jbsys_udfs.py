"""Worksheet functions for Excel (xlwings UDFs). Each is a thin door onto
:mod:`jbsys_xl.excel.udf_service`; the VBA wrappers in the template's ``xlwings_udfs`` module
are generated from these signatures (``jbsys-xl build-template``).

All are volatile: Excel cannot see that they read the input tables, so they must recalculate
after any edit; the service's cache keeps that to one read of the tables per edit.
"""
import xlwings as xw

from jbsys_xl.excel import udf_service as service

CENTER = "中心编码或中心名称，如 \"青龙街道人社服务中心\""
YEAR = "考核年度，如 2024"


@xw.func(volatile=True, category="JBSys 人社考核")
@xw.arg("center", doc=CENTER)
@xw.arg("year", doc=YEAR)
def JBSCORE(center, year, caller):
    """中心的因素分析得分 S（分）。"""
    return service.answer(service.score, caller.sheet.book, center, year)


@xw.func(volatile=True, category="JBSys 人社考核")
@xw.arg("center", doc=CENTER)
@xw.arg("item", doc="事项名称或金保事项")
@xw.arg("year", doc=YEAR)
def JBFACTOR(center, item, year, caller):
    """中心在一个考核指标上的因素得分 s（分）。"""
    return service.answer(service.factor, caller.sheet.book, center, item, year)


@xw.func(volatile=True, category="JBSys 人社考核")
@xw.arg("center", doc=CENTER)
@xw.arg("year", doc=YEAR)
def JBGRADE(center, year, caller):
    """中心的基础达标评定等次（A+、A 或 B）。"""
    return service.answer(service.grade, caller.sheet.book, center, year)


@xw.func(volatile=True, category="JBSys 人社考核")
@xw.arg("center", doc=CENTER)
@xw.arg("year", doc=YEAR)
def JBAWARD(center, year, caller):
    """中心的基础达标奖励（元）。"""
    return service.answer(service.award, caller.sheet.book, center, year)


@xw.func(volatile=True, category="JBSys 人社考核")
@xw.arg("center", doc=CENTER)
@xw.arg("year", doc=YEAR)
@xw.arg("part", doc="可选：basic 基础、workload 工作量、deduction 扣减、winner 优胜；留空为合计")
def JBSUBSIDY(center, year, part=None, caller=None):
    """中心的补助合计，或其中一部分（元）。"""
    return service.answer(service.subsidy, caller.sheet.book, center, year, part)


@xw.func(volatile=True, category="JBSys 人社考核")
@xw.arg("center", doc=CENTER)
@xw.arg("year", doc=YEAR)
def JBRANK(center, year, caller):
    """中心得分的名次（1 为最高，同分同名次）。"""
    return service.answer(service.rank, caller.sheet.book, center, year)


@xw.func(volatile=True, category="JBSys 人社考核")
@xw.arg("year", doc=YEAR)
def JBALLOCATION(year, caller):
    """整张分配表（动态数组，含表头）。"""
    return service.answer(service.allocation_table, caller.sheet.book, year)


@xw.func(volatile=True, category="JBSys 人社考核")
@xw.arg("year", doc=YEAR)
def JBCHECK(year, caller):
    """数据校验：无错误时为 OK，否则为第一个错误。"""
    return service.answer(service.check, caller.sheet.book, year)
