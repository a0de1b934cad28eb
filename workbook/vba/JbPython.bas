' Late-bound bridge to the xlwings add-in (xlwings.xlam). The project holds no reference to
' it, so it compiles without xlwings, and a missing add-in becomes a message saying what to
' install instead of "Sub or Function not defined".
Option Explicit
Option Private Module

Private Const XLWINGS_ADDIN As String = "xlwings.xlam"
Private Const DISPATCH As String = "import jbsys_xl.excel.macros as m; m.run_macro('"
Private Const TITLE As String = "JBSys-XL"

' Run a Python entry point on this workbook: a dotted name such as
' jbsys_xl.excel.macros.generate_allocation, called with the workbook (run_macro in Python).
Public Sub JbRunPython(ByVal entry As String)
    Dim result As Variant
    If Not IsEntryName(entry) Then
        MsgBox "Not a Python entry point: " & entry, vbCritical, TITLE
        Exit Sub
    End If
    If Not XlwingsLoaded() Then
        MsgBox JbText("JBSYS_MSG_NO_XLWINGS", "The xlwings add-in is not loaded. Run: " & _
            "pip install jbsys-xl, then jbsys-xl excel-setup, and restart Excel."), _
            vbExclamation, TITLE
        Exit Sub
    End If
    On Error GoTo failed
    ' RunPython hands Python ActiveWorkbook (--wb) and reads ActiveWorkbook's xlwings.conf
    ' sheet: make that this workbook, even when the macro was started from another one.
    ThisWorkbook.Activate
    result = Application.Run("'" & XLWINGS_ADDIN & "'!RunPython", DISPATCH & entry & "')")
    On Error GoTo 0
    ' RunPython gives -1 after Python failed; xlwings has shown Python's error by then.
    If IsNumeric(result) Then
        If result = -1 Then
            MsgBox JbText("JBSYS_MSG_PYTHON_FAILED", "Python failed. If it was not found, " & _
                "or jbsys_xl is missing, run: pip install jbsys-xl, then jbsys-xl excel-setup."), _
                vbExclamation, TITLE
        End If
    End If
    Exit Sub
failed:
    MsgBox JbText("JBSYS_MSG_RUN_FAILED", "Could not run Python through xlwings: ") & _
        vbCrLf & Err.Description, vbCritical, TITLE
End Sub

' What the generated xlwings_udfs wrappers call: the add-in's XLPy, looked up at run time.
' Without the add-in the worksheet function shows the install message in its cell.
Public Function XLPy() As Object
    If Not XlwingsLoaded() Then
        Err.Raise vbObjectError + 513, TITLE, JbText("JBSYS_MSG_NO_XLWINGS", _
            "The xlwings add-in is not loaded: run jbsys-xl excel-setup.")
    End If
    Set XLPy = Application.Run("'" & XLWINGS_ADDIN & "'!XLPy")
End Function

Private Function XlwingsLoaded() As Boolean
    Dim book As Workbook
    On Error Resume Next
    Set book = Application.Workbooks(XLWINGS_ADDIN)
    XlwingsLoaded = Not book Is Nothing
End Function

' Letters, digits, "_" and ".": the entry goes inside a Python string literal.
Private Function IsEntryName(ByVal entry As String) As Boolean
    Dim i As Long
    If Len(entry) = 0 Then Exit Function
    For i = 1 To Len(entry)
        If Not Mid$(entry, i, 1) Like "[A-Za-z0-9_.]" Then Exit Function
    Next i
    IsEntryName = True
End Function

' User-facing text is Chinese and VBA source is code page 1252, so the text lives in workbook
' names (="...") written by the template builder; the English fallback covers a deleted name.
Private Function JbText(ByVal key As String, ByVal fallback As String) As String
    Dim formula As String
    On Error GoTo missing
    formula = ThisWorkbook.Names(key).RefersTo
    JbText = Replace(Mid$(formula, 3, Len(formula) - 3), """""", """")
    Exit Function
missing:
    JbText = fallback
End Function
