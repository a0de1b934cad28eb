' Tells the worksheet functions when the input tables changed, without writing to the workbook:
' any change a macro makes to the workbook (a cell, a defined name) empties Excel's Undo list.
' The xlwings_udfs wrappers pass JbRevision() to Python (xw.arg vba="JbRevision()"), which
' reuses one computation per revision (jbsys_xl/excel/udf_service.py): one read of the tables
' per input change, however many JB* cells there are and wherever they are.
Option Explicit

' Codenames of the input sheets and names of the JB* functions, ";"-separated; the template
' builder fills them in.
Private Const INPUT_CODENAMES As String = ";@JBSYS_INPUT_CODENAMES@;"
Private Const UDF_NAMES As String = ";@JBSYS_UDF_NAMES@;"
' Excel's constants by value: WPS's VBA may not know their names.
Private Const XL_MANUAL As Long = -4135       ' xlCalculationManual
Private Const XL_FORMULAS As Long = -4123     ' xlCellTypeFormulas
' The guide sheet's status cell: a formula that says what to do when macros do not run.
Private Const STATUS_NAME As String = "JBSYS_STATUS"

Private mSession As String
Private mEdits As Long
Private mAsked As Boolean
Private mRecalculating As Boolean
Private mAway As Boolean       ' an input changed while another workbook was active
Private mCaughtUp As Boolean   ' this edit's SheetCalculate already counted it and recalculated
Private mSheets() As String    ' input sheets whose own formulas were looked at, by codename,
Private mShown() As String     ' and what those formulas showed then
Private mKnown As Long

' The key the JB* worksheet functions cache their answers under. It changes when an input
' sheet changes, when a sheet is added, removed or renamed, and when the VBA project restarts;
' its first part names this workbook. While events are off, edits cannot be counted: every
' call gets a key of its own, and the count moves on, so the keys once events are back differ
' from those before they went off.
Public Function JbRevision() As String
    mAsked = True
    mCaughtUp = False   ' a new recalculation: whatever comes next is a new change
    If Application.EnableEvents Then
        JbRevision = Session() & ":" & mEdits & ":" & SheetNames()
    Else
        mEdits = mEdits + 1
        JbRevision = Session() & ":off" & mEdits
    End If
End Function

' True for the codename of one of the input sheets (a renamed sheet keeps its codename).
Public Function JbIsInput(ByVal codename As String) As Boolean
    JbIsInput = InStr(1, INPUT_CODENAMES, ";" & codename & ";", vbBinaryCompare) > 0
End Function

' ThisWorkbook's SheetChange: a cell of some sheet was edited. Excel has recalculated before
' it raises this event, and that recalculation's SheetCalculate may have counted the edit
' already (an input formula changed with it): then the functions are current.
Public Sub JbSheetChanged(ByVal sheet As Object)
    Dim caughtUp As Boolean
    caughtUp = mCaughtUp And Application.Calculation <> XL_MANUAL
    mCaughtUp = False
    If caughtUp Then Exit Sub
    JbInputChanged sheet.CodeName
End Sub

' ThisWorkbook's SheetCalculate: formulas of a sheet got new results. On an input sheet that
' is an input change only when the sheet's own formulas (not JB* cells) show something new:
' a JB* cell beside the rows of the centers sheet recalculates after every edit anywhere,
' and counting that read the tables twice per edit. Not counted either: what the
' recalculation this module started shows (it changes no input), and a second sheet of the
' same recalculation once the first one brought the functions up to date.
Public Sub JbSheetCalculated(ByVal sheet As Object)
    Dim codename As String, shown As String
    codename = sheet.CodeName
    If Not JbIsInput(codename) Then Exit Sub
    shown = OwnFormulas(sheet)
    If shown = Remembered(codename) Then Exit Sub
    Remember codename, shown
    If mRecalculating Or mCaughtUp Then Exit Sub
    mCaughtUp = Changed()
End Sub

' An input sheet changed (an edit, or one of its formulas): count it, and recalculate once
' more, so the worksheet functions read the tables under the new key - Excel recalculated
' before it raised the event, and they may just have answered with the old one.
Public Sub JbInputChanged(ByVal codename As String)
    If JbIsInput(codename) Then Changed
End Sub

' Python wrote input sheets with events off (the import buttons): JbPython.JbRunPython calls
' this once Python has returned, so the functions read the new rows.
Public Sub JbInputsWritten()
    Changed
End Sub

' Back in this workbook (ThisWorkbook's Activate): an input changed while another workbook
' was active (a formula reading that workbook), and the JB* cells kept their values then.
Public Sub JbActivated()
    If Not mAway Then Exit Sub
    mAway = False
    If Application.Calculation = XL_MANUAL Then Exit Sub
    Recalculate
End Sub

' The workbook's macros run (ThisWorkbook's Open: at opening, or once Enable Content is clicked):
' the guide's status line, which says what to do while they do not, is worked out again.
Public Sub JbOpened()
    On Error Resume Next
    ThisWorkbook.Names(STATUS_NAME).RefersToRange.Calculate
End Sub

' The ribbon's refresh: another program may have changed the tables with events and
' calculation off, unseen here. Count an edit and recalculate every formula once, under the
' new key (the SheetCalculate events it raises count but do not start another pass).
Public Sub JbRefresh()
    mEdits = mEdits + 1
    mRecalculating = True
    On Error Resume Next
    Application.CalculateFull
    mRecalculating = False
End Sub

' Count an input change; True when the functions were recalculated under the new key.
Private Function Changed() As Boolean
    mEdits = mEdits + 1
    If mRecalculating Or Not mAsked Then Exit Function
    ' The wrappers of a workbook that is not active keep their values (xlwings reads its
    ' settings from the active workbook): catch up when this one is active again.
    If Not ActiveWorkbook Is ThisWorkbook Then
        mAway = True
        Exit Function
    End If
    If Application.Calculation = XL_MANUAL Then Exit Function
    Recalculate
    Changed = True
End Function

Private Sub Recalculate()
    mAsked = False
    mRecalculating = True
    On Error Resume Next
    Application.Calculate
    mRecalculating = False
End Sub

' What an input sheet's own formulas - all but the JB* cells - show now, as one text: ""
' when it has none. Read area by area (one call for the formulas, one for the values).
Private Function OwnFormulas(ByVal sheet As Object) As String
    Dim found As Object, area As Object, formulas As Variant, shown As Variant
    Dim parts() As String, count As Long, r As Long, c As Long
    On Error Resume Next
    Set found = sheet.UsedRange.SpecialCells(XL_FORMULAS)   ' an error when there is none
    On Error GoTo 0
    If found Is Nothing Then Exit Function
    ReDim parts(0 To found.Count * 2)
    For Each area In found.Areas
        parts(count) = area.Address
        count = count + 1
        formulas = area.Formula
        shown = area.Value
        If IsArray(formulas) Then
            For r = LBound(formulas, 1) To UBound(formulas, 1)
                For c = LBound(formulas, 2) To UBound(formulas, 2)
                    If Not CallsJb(CStr(formulas(r, c))) Then
                        parts(count) = CStr(shown(r, c))
                        count = count + 1
                    End If
                Next c
            Next r
        ElseIf Not CallsJb(CStr(formulas)) Then
            parts(count) = CStr(shown)
            count = count + 1
        End If
    Next area
    ReDim Preserve parts(0 To count)
    OwnFormulas = Join(parts, vbTab)
End Function

' True for a formula that calls one of the JB* functions.
Private Function CallsJb(ByVal formula As String) As Boolean
    Dim names() As String, i As Long
    If InStr(1, formula, "JB", vbTextCompare) = 0 Then Exit Function
    names = Split(Mid$(UDF_NAMES, 2, Len(UDF_NAMES) - 2), ";")
    For i = LBound(names) To UBound(names)
        If InStr(1, formula, names(i) & "(", vbTextCompare) > 0 Then
            CallsJb = True
            Exit Function
        End If
    Next i
End Function

Private Function Remembered(ByVal codename As String) As String
    Dim i As Long
    For i = 1 To mKnown
        If mSheets(i) = codename Then
            Remembered = mShown(i)
            Exit Function
        End If
    Next i
End Function

Private Sub Remember(ByVal codename As String, ByVal shown As String)
    Dim i As Long
    For i = 1 To mKnown
        If mSheets(i) = codename Then
            mShown(i) = shown
            Exit Sub
        End If
    Next i
    mKnown = mKnown + 1
    ReDim Preserve mSheets(1 To mKnown)
    ReDim Preserve mShown(1 To mKnown)
    mSheets(mKnown) = codename
    mShown(mKnown) = shown
End Sub

' Module variables start again at zero when the VBA project is reset; a random session part
' keeps a restarted count from meeting an answer cached under the same number, and the
' workbook's name keeps two workbooks apart.
Private Function Session() As String
    If Len(mSession) = 0 Then
        Randomize
        mSession = ThisWorkbook.Name & "|" & CStr(Int(Rnd * 1000000000)) & "-" & CStr(CLng(Timer * 100))
    End If
    Session = mSession
End Function

Private Function SheetNames() As String
    Dim sheet As Object
    For Each sheet In ThisWorkbook.Sheets
        SheetNames = SheetNames & sheet.Name & "/"
    Next sheet
End Function
