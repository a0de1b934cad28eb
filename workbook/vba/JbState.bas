' Tells the worksheet functions when the input tables changed, without writing to the workbook:
' any change a macro makes to the workbook (a cell, a defined name) empties Excel's Undo list.
' The xlwings_udfs wrappers pass JbRevision() to Python (xw.arg vba="JbRevision()"), which
' reuses one computation per revision (jbsys_xl/excel/udf_service.py).
Option Explicit

' Codenames of the eight input sheets, ";"-separated; the template builder fills them in.
Private Const INPUT_CODENAMES As String = ";@JBSYS_INPUT_CODENAMES@;"

Private mSession As String
Private mEdits As Long
Private mAsked As Boolean
Private mRecalculating As Boolean

' The key the JB* worksheet functions cache their answers under. It changes when an input
' sheet changes, when a sheet is added, removed or renamed, and when the VBA project restarts.
' While events are off, edits cannot be counted: every call gets a key of its own, and the
' count moves on, so the keys once events are back differ from those before they went off.
Public Function JbRevision() As String
    mAsked = True
    If Application.EnableEvents Then
        JbRevision = Session() & ":" & mEdits & ":" & SheetNames()
    Else
        mEdits = mEdits + 1
        JbRevision = Session() & ":off" & mEdits
    End If
End Function

' True for the codename of one of the eight input sheets (a renamed sheet keeps its codename).
Public Function JbIsInput(ByVal codename As String) As Boolean
    JbIsInput = InStr(1, INPUT_CODENAMES, ";" & codename & ";", vbBinaryCompare) > 0
End Function

' An input sheet was edited or its formulas recalculated (ThisWorkbook's events). Excel
' recalculates before it raises the event, so worksheet functions may just have answered with
' the old key: recalculate once more, which reads the data once under the new key.
Public Sub JbInputChanged(ByVal codename As String)
    If Not JbIsInput(codename) Then Exit Sub
    mEdits = mEdits + 1
    If mRecalculating Or Not mAsked Then Exit Sub
    If Application.Calculation = xlCalculationManual Then Exit Sub
    mAsked = False
    mRecalculating = True
    On Error Resume Next
    Application.Calculate
    mRecalculating = False
End Sub

' Python wrote input cells with events off (jbsys_xl/excel/writer.py): count it as an edit.
Public Sub JbInputsWritten()
    mEdits = mEdits + 1
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

' Module variables start again at zero when the VBA project is reset; a random session part
' keeps a restarted count from meeting an answer cached under the same number.
Private Function Session() As String
    If Len(mSession) = 0 Then
        Randomize
        mSession = CStr(Int(Rnd * 1000000000)) & "-" & CStr(CLng(Timer * 100))
    End If
    Session = mSession
End Function

Private Function SheetNames() As String
    Dim sheet As Object
    For Each sheet In ThisWorkbook.Sheets
        SheetNames = SheetNames & sheet.Name & "/"
    Next sheet
End Function
