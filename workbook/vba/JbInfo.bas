' Needs neither xlwings nor Python, so a program other than Excel (LibreOffice in the tests)
' can check that the project loads and runs.
Option Explicit

' The jbsys_xl package version this workbook was built with. The buttons hand it to Python,
' which tells a workbook from a template it does not work with to move its data
' (jbsys_xl/excel/macros.py, run_macro).
Public Function JbVersion() As String
    JbVersion = "@JBSYS_VERSION@"
End Function

' Called by the status line of the guide sheet: "" wherever this project runs. Where it does
' not - macros not enabled yet, or a copy saved as .xlsx, which has no VBA - the call is
' #NAME? and the line says what to do (jbsys_xl/template/guide.py).
Public Function JbMacrosOn() As String
    JbMacrosOn = ""
End Function
