"""Worksheet functions for Excel (xlwings UDFs). Each is a thin door onto
:mod:`jbsys_xl.excel.udf_service`; the VBA wrappers in the template's ``xlwings_udfs`` module
are generated from these signatures (``jbsys-xl build-template``).

All are volatile: Excel cannot see that they read the input tables, so they must recalculate
after any edit; the service's cache keeps that to one read of the tables per edit. The
``revision`` argument is not typed by the user: the wrapper fills it with the template's VBA
function ``JbRevision()``, which changes whenever an input sheet does (the cache's key).
"""
import xlwings as xw

from jbsys_xl.excel import udf_service as service

CENTER = "中心编码或中心名称，如 \"青龙街道人社服务中心\""
YEAR = "考核年度，如 2024"
REVISION = "JbRevision()"  # VBA expression the wrapper passes: workbook/vba/JbState.bas


@xw.func(volatile=True, category="JBSys 人社考核")
@xw.arg("center", doc=CENTER)
@xw.arg("year", doc=YEAR)
@xw.arg("revision", vba=REVISION)
def JBSCORE(center, year, revision, caller):
    """中心的因素分析得分 S（分）。"""
    return service.answer(service.score, service.CallerBook(caller), revision, center, year)


@xw.func(volatile=True, category="JBSys 人社考核")
@xw.arg("center", doc=CENTER)
@xw.arg("item", doc="事项名称或金保事项")
@xw.arg("year", doc=YEAR)
@xw.arg("revision", vba=REVISION)
def JBFACTOR(center, item, year, revision, caller):
    """中心在一个考核指标上的因素得分 s（分）。"""
    return service.answer(service.factor, service.CallerBook(caller), revision, center, item, year)


@xw.func(volatile=True, category="JBSys 人社考核")
@xw.arg("center", doc=CENTER)
@xw.arg("year", doc=YEAR)
@xw.arg("revision", vba=REVISION)
def JBGRADE(center, year, revision, caller):
    """中心的基础达标评定等次（A+、A 或 B）。"""
    return service.answer(service.grade, service.CallerBook(caller), revision, center, year)


@xw.func(volatile=True, category="JBSys 人社考核")
@xw.arg("center", doc=CENTER)
@xw.arg("year", doc=YEAR)
@xw.arg("revision", vba=REVISION)
def JBAWARD(center, year, revision, caller):
    """中心的基础达标奖励（元）。"""
    return service.answer(service.award, service.CallerBook(caller), revision, center, year)


@xw.func(volatile=True, category="JBSys 人社考核")
@xw.arg("center", doc=CENTER)
@xw.arg("year", doc=YEAR)
@xw.arg("part", doc="可选：basic 基础、workload 工作量、deduction 扣减、winner 优胜；留空为合计")
@xw.arg("revision", vba=REVISION)
def JBSUBSIDY(center, year, part=None, revision=None, caller=None):
    """中心的补助合计，或其中一部分（元）。"""
    return service.answer(service.subsidy, service.CallerBook(caller), revision, center, year, part)


@xw.func(volatile=True, category="JBSys 人社考核")
@xw.arg("center", doc=CENTER)
@xw.arg("year", doc=YEAR)
@xw.arg("revision", vba=REVISION)
def JBRANK(center, year, revision, caller):
    """中心得分的名次（1 为最高，同分同名次）。"""
    return service.answer(service.rank, service.CallerBook(caller), revision, center, year)


@xw.func(volatile=True, category="JBSys 人社考核")
@xw.arg("year", doc=YEAR)
@xw.arg("revision", vba=REVISION)
def JBALLOCATION(year, revision, caller):
    """整张分配表（含表头）。Microsoft 365、Excel 2021 自动溢出；Excel 2016/2019 先选中足够大的区域，输入后按 Ctrl+Shift+Enter。"""
    return service.answer(service.allocation_table, service.CallerBook(caller), revision, year,
                          caller.shape, shape=caller.shape)


@xw.func(volatile=True, category="JBSys 人社考核")
@xw.arg("year", doc=YEAR)
@xw.arg("revision", vba=REVISION)
def JBCHECK(year, revision, caller):
    """数据校验：无错误时为 OK，否则为第一个错误。"""
    return service.answer(service.check, service.CallerBook(caller), revision, year)
