' Late-bound bridge to the xlwings add-in (xlwings.xlam). The project holds no reference to
' it (nor to the Office type library, which WPS may lack), so it compiles without xlwings,
' and a missing add-in becomes a message saying what to install instead of "Sub or Function
' not defined".
Option Explicit
Option Private Module

Private Const XLWINGS_ADDIN As String = "xlwings.xlam"
Private Const DISPATCH As String = "import jbsys_xl.excel.macros as m; m.run_macro('"
Private Const TITLE As String = "JBSys-XL"

' Run a Python entry point on this workbook: a dotted name such as
' jbsys_xl.excel.macros.generate_allocation, called with the workbook (run_macro in Python).
' Python switches events, calculation and screen updating off while it writes; a Python that
' fails or is killed cannot switch them on again, so they are saved here and given back
' whatever happened, with the status bar.
Public Sub JbRunPython(ByVal entry As String)
    Dim result As Variant
    Dim events As Boolean, calculation As Long, updating As Boolean
    If Not IsEntryName(entry) Then
        MsgBox "Not a Python entry point: " & entry, vbCritical, TITLE
        Exit Sub
    End If
    If Not XlwingsLoaded() Then
        MsgBox JbText("JBSYS_MSG_NO_XLWINGS", "The xlwings add-in is not loaded. Run " & _
            "install.bat of the JBSys-XL bundle, then restart Excel."), vbExclamation, TITLE
        Exit Sub
    End If
    events = Application.EnableEvents
    calculation = Application.Calculation
    updating = Application.ScreenUpdating
    Application.StatusBar = JbText("JBSYS_MSG_STARTING", "JBSys-XL: starting Python...")
    On Error GoTo failed
    ' RunPython hands Python ActiveWorkbook (--wb) and reads ActiveWorkbook's xlwings.conf
    ' sheet: make that this workbook, even when the macro was started from another one.
    ThisWorkbook.Activate
    result = Application.Run("'" & XLWINGS_ADDIN & "'!RunPython", DISPATCH & entry & "')")
    On Error GoTo 0
    RestoreState events, calculation, updating
    ' RunPython gives -1 after Python failed; xlwings has shown Python's error by then.
    If IsNumeric(result) Then
        If result = -1 Then
            MsgBox JbText("JBSYS_MSG_PYTHON_FAILED", "Python failed. If it was not found, " & _
                "or jbsys_xl is missing, run install.bat of the JBSys-XL bundle."), _
                vbExclamation, TITLE
        End If
    End If
    Exit Sub
failed:
    RestoreState events, calculation, updating
    MsgBox JbText("JBSYS_MSG_RUN_FAILED", "Could not run Python through xlwings: ") & _
        vbCrLf & Err.Description, vbCritical, TITLE
End Sub

' Each setting on its own: one that Excel refuses (a cell in edit mode) leaves the others set.
' On a Mac RunPython returns while Python still runs: its status line stays.
Private Sub RestoreState(ByVal events As Boolean, ByVal calculation As Long, ByVal updating As Boolean)
    On Error Resume Next
    Application.EnableEvents = events
    Application.ScreenUpdating = updating
    If Application.Calculation <> calculation Then Application.Calculation = calculation
    #If Not Mac Then
        Application.StatusBar = False
    #End If
End Sub

' What the generated xlwings_udfs wrappers call: the add-in's XLPy, looked up at run time.
' Without the add-in (or on a Mac, where xlwings has no worksheet functions) the cell shows
' what to do instead.
Public Function XLPy() As Object
    #If Mac Then
        Err.Raise vbObjectError + 514, TITLE, JbText("JBSYS_MSG_MAC_FUNCTIONS", _
            "Worksheet functions need Excel on Windows: use jbsys-xl on the command line.")
    #End If
    If Not XlwingsLoaded() Then
        Err.Raise vbObjectError + 513, TITLE, JbText("JBSYS_MSG_NO_XLWINGS", _
            "The xlwings add-in is not loaded: run install.bat of the JBSys-XL bundle.")
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
Public Function JbText(ByVal key As String, ByVal fallback As String) As String
    Dim formula As String
    On Error GoTo missing
    formula = ThisWorkbook.Names(key).RefersTo
    JbText = Replace(Mid$(formula, 3, Len(formula) - 3), """""", """")
    Exit Function
missing:
    JbText = fallback
End Function
