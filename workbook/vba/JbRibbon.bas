' Ribbon callbacks named in customUI/customUI14.xml, and button-free twins that Alt+F8,
' a shape or an automation script can run.
Option Explicit

Private Const MACROS As String = "jbsys_xl.excel.macros."

' Every Python button: its tag names the entry point, so a new button is a line of ribbon XML
' (tag="package.module.function") and a Python function taking the workbook.
Public Sub JbButton(control As IRibbonControl)
    JbRunPython control.Tag
End Sub

Public Sub JbAbout(control As IRibbonControl)
    ShowGuide
End Sub

' Validate, compute and write the four result sheets.
Public Sub GenerateAllocation()
    JbRunPython MACROS & "generate_allocation"
End Sub

' Validate only; findings go to the checks sheet.
Public Sub ValidateData()
    JbRunPython MACROS & "validate"
End Sub

' Activate the guide sheet, found by codename at run time so renaming it breaks nothing.
Public Sub ShowGuide()
    Dim sheet As Worksheet
    For Each sheet In ThisWorkbook.Worksheets
        If sheet.CodeName = "wsGuide" Then
            sheet.Activate
            Exit Sub
        End If
    Next sheet
End Sub
