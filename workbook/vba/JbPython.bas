' Late-bound bridge to the xlwings add-in (xlwings.xlam). The project holds no reference to
' it (nor to the Office type library, which WPS may lack), so it compiles without xlwings,
' and a missing add-in or Python becomes a message saying what to install instead of "Sub or
' Function not defined" or xlwings' English text.
Option Explicit
Option Private Module

Private Const XLWINGS_ADDIN As String = "xlwings.xlam"
Private Const DISPATCH As String = "import jbsys_xl.excel.macros as m; m.run_macro('"
Private Const TITLE As String = "JBSys-XL"
Private Const CONFIG_CODENAME As String = "wsConfig"   ' the xlwings.conf sheet
Private Const INTERPRETER_KEY As String = "INTERPRETER_WIN"

' The UDF server the add-in's XLPy gave this workbook. Asking XLPy reads about fourteen
' settings and loads xlwings' DLL, so it is asked once, not once per JB* cell, and again only
' when the server has gone (killed, or restarted through xlwings).
Private mServer As Object

' Run a Python entry point on this workbook: a dotted name such as
' jbsys_xl.excel.macros.generate_allocation, called with the workbook (run_macro in Python,
' which also gets this template's version). Python switches events, calculation and screen
' updating off while it writes; a Python that fails or is killed cannot switch them on again,
' so they are saved here and given back whatever happened, with the status bar.
' writesInputs: Python writes input sheets, unseen by JbState with events off - the edit is
' counted here once Python has returned (not by Python calling back into Excel meanwhile).
Public Sub JbRunPython(ByVal entry As String, Optional ByVal writesInputs As Boolean = False)
    Dim result As Variant, missing As String
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
    missing = PythonMissing()
    If Len(missing) > 0 Then
        MsgBox missing, vbExclamation, TITLE
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
    result = Application.Run("'" & XLWINGS_ADDIN & "'!RunPython", _
        DISPATCH & entry & "', '" & JbVersion() & "')")
    On Error GoTo 0
    RestoreState events, calculation, updating
    If writesInputs Then JbInputsWritten
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
    If writesInputs Then JbInputsWritten
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

' What the generated xlwings_udfs wrappers call in place of XLPy.CallUDF (the builder rewrites
' them: jbsys_xl/excel/udf_vba.py): the cached UDF server, asked for again once if it has gone.
Public Function JbCallUDF(ByVal script As String, ByVal fname As String, args As Variant, _
                          wb As Variant, caller As Variant) As Variant
    If mServer Is Nothing Then Set mServer = XLPy()
    On Error GoTo gone
    JbCallUDF = mServer.CallUDF(script, fname, args, wb, caller)
    Exit Function
gone:
    If Not ServerGone(Err.Number) Then Err.Raise Err.Number, Err.Source, Err.Description
    Set mServer = Nothing
    Resume restart
restart:
    On Error GoTo 0
    Set mServer = XLPy()
    JbCallUDF = mServer.CallUDF(script, fname, args, wb, caller)
End Function

' What a JB* cell shows already - its value, or the whole array it spills (Excel 365) - for
' the wrappers to give back while another workbook is active: edits there change nothing here,
' and asking xlwings then would read that workbook's settings and start a second server.
Public Function JbKept(ByVal caller As Variant) As Variant
    Dim spills As Boolean
    On Error Resume Next
    JbKept = caller.Value
    spills = caller.HasSpill   ' an error before Excel 365: spills stays False
    If spills Then JbKept = caller.SpillingToRange.Value
End Function

' The add-in's XLPy, looked up at run time. Without the add-in or our Python (or on a Mac,
' where xlwings has no worksheet functions) the cell shows what to do instead.
Public Function XLPy() As Object
    Dim missing As String, cause As String
    #If Mac Then
        Err.Raise vbObjectError + 514, TITLE, JbText("JBSYS_MSG_MAC_FUNCTIONS", _
            "Worksheet functions need Excel on Windows: use jbsys-xl on the command line.")
    #End If
    If Not XlwingsLoaded() Then
        Err.Raise vbObjectError + 513, TITLE, JbText("JBSYS_MSG_NO_XLWINGS", _
            "The xlwings add-in is not loaded: run install.bat of the JBSys-XL bundle.")
    End If
    missing = PythonMissing()
    If Len(missing) > 0 Then Err.Raise vbObjectError + 515, TITLE, missing
    On Error GoTo failed
    Set XLPy = Application.Run("'" & XLWINGS_ADDIN & "'!XLPy")
    Exit Function
failed:
    cause = Err.Description
    On Error GoTo 0
    Err.Raise vbObjectError + 516, TITLE, JbText("JBSYS_MSG_UDF_FAILED", _
        "The worksheet functions could not start Python: ") & cause
End Function

' Errors of a call to a COM server that is no longer there.
Private Function ServerGone(ByVal number As Long) As Boolean
    Select Case number
        Case &H80010108, &H800706BA, &H800706BE, &H800401FD, &H80010012
            ServerGone = True   ' disconnected, server unavailable, call failed, not connected
    End Select
End Function

' Why the interpreter this workbook's xlwings.conf sheet names cannot run, for the user; ""
' when it is there (or the sheet names none: then xlwings' own defaults apply).
Private Function PythonMissing() As String
    Dim interpreter As String, found As String
    #If Mac Then
        Exit Function
    #End If
    interpreter = ConfiguredInterpreter()
    If Len(interpreter) = 0 Then Exit Function
    On Error Resume Next
    found = Dir$(interpreter)
    On Error GoTo 0
    If Len(found) = 0 Then
        PythonMissing = Replace(JbText("JBSYS_MSG_NO_PYTHON", "JBSys-XL's Python is missing: " & _
            "{path}. Run install.bat of the JBSys-XL bundle."), "{path}", interpreter)
    End If
End Function

' The INTERPRETER_WIN value of this workbook's xlwings.conf sheet, environment variables
' expanded as the add-in expands them.
Private Function ConfiguredInterpreter() As String
    Dim sheet As Object, row As Long, value As String
    On Error GoTo none
    For Each sheet In ThisWorkbook.Worksheets
        If sheet.CodeName = CONFIG_CODENAME Then Exit For
    Next sheet
    If sheet Is Nothing Then Exit Function
    For row = 1 To 100
        If Len(CStr(sheet.Cells(row, 1).Value)) = 0 Then Exit Function
        If UCase$(CStr(sheet.Cells(row, 1).Value)) = INTERPRETER_KEY Then
            value = CStr(sheet.Cells(row, 2).Value)
            ConfiguredInterpreter = CreateObject("WScript.Shell").ExpandEnvironmentStrings(value)
            Exit Function
        End If
    Next row
none:
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
