' Ribbon callbacks named in customUI/customUI14.xml, and button-free twins that Alt+F8,
' a shape or an automation script can run.
Option Explicit

Public Sub JbGenerate(control As IRibbonControl)
    GenerateAllocation
End Sub

Public Sub JbValidate(control As IRibbonControl)
    ValidateData
End Sub

Public Sub JbAbout(control As IRibbonControl)
    ShowGuide
End Sub

' Validate, compute and write the four result sheets.
Public Sub GenerateAllocation()
    JbRunPython "generate_allocation"
End Sub

' Validate only; findings go to the checks sheet.
Public Sub ValidateData()
    JbRunPython "validate"
End Sub

' Activate the guide sheet, found by codename at run time so deleting it breaks nothing.
Public Sub ShowGuide()
    Dim sheet As Worksheet
    For Each sheet In ThisWorkbook.Worksheets
        If sheet.CodeName = "wsGuide" Then
            sheet.Activate
            Exit Sub
        End If
    Next sheet
End Sub
