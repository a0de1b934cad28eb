' Every edit bumps the workbook name JBSYS_REVISION; the worksheet functions compare it to
' reuse one computation until the data changes (jbsys_xl/excel/udf_service.py).
Option Explicit

Private Const REVISION_NAME As String = "JBSYS_REVISION"

Private Sub Workbook_SheetChange(ByVal Sh As Object, ByVal Target As Range)
    Dim revision As Long
    On Error Resume Next
    revision = CLng(Mid$(ThisWorkbook.Names(REVISION_NAME).RefersTo, 2))
    If Err.Number <> 0 Then revision = 0
    Err.Clear
    ThisWorkbook.Names(REVISION_NAME).RefersTo = "=" & (revision + 1)
    If Err.Number <> 0 Then ThisWorkbook.Names.Add Name:=REVISION_NAME, RefersTo:="=" & (revision + 1)
End Sub
