' Ribbon callbacks named in customUI/customUI14.xml, and button-free twins that Alt+F8,
' a shape or an automation script can run. The callbacks take "control As Object", not
' IRibbonControl: that type lives in the Office type library, which the project does not
' reference (WPS may not provide it, and then nothing in the project compiles).
Option Explicit

Private Const MACROS As String = "jbsys_xl.excel.macros."

' Every Python button: its tag names the entry point, so a new button is a line of ribbon XML
' (tag="package.module.function") and a Python function taking the workbook.
Public Sub JbButton(control As Object)
    JbRunPython control.Tag
End Sub

' The data and document buttons open Excel's Windows file dialogs or write files beside the
' workbook; on a Mac they say what to use instead.
Public Sub JbDataButton(control As Object)
    DataButton control.Tag, False
End Sub

' The data buttons whose Python writes input sheets (the two imports; Python marks them
' writes_inputs): with Excel's events off, so the edit is counted here once it returns.
Public Sub JbInputButton(control As Object)
    DataButton control.Tag, True
End Sub

Private Sub DataButton(ByVal entry As String, ByVal writesInputs As Boolean)
    #If Mac Then
        MsgBox JbText("JBSYS_MSG_MAC_BUTTONS", "Not available in Excel for Mac: use " & _
            "jbsys-xl on the command line."), vbInformation, "JBSys-XL"
    #Else
        JbRunPython entry, writesInputs
    #End If
End Sub

Public Sub JbRefreshButton(control As Object)
    RefreshFunctions
End Sub

Public Sub JbAbout(control As Object)
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

' Recalculate every worksheet function over the tables as they are now (JbState.JbRefresh).
Public Sub RefreshFunctions()
    JbRefresh
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
