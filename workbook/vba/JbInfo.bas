' Needs neither xlwings nor Python, so a program other than Excel (LibreOffice in the tests)
' can check that the project loads and runs.
Option Explicit

' The jbsys_xl package version this workbook was built with.
Public Function JbVersion() As String
    JbVersion = "@JBSYS_VERSION@"
End Function
