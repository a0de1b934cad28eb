' Edits of the input sheets are counted in module JbState, never written into the workbook:
' a macro that changes the workbook empties Excel's Undo list.
Option Explicit

Private Sub Workbook_SheetChange(ByVal Sh As Object, ByVal Target As Range)
    On Error Resume Next
    JbInputChanged Sh.CodeName
End Sub

' A formula on an input sheet got a new result (its inputs may live on another sheet).
Private Sub Workbook_SheetCalculate(ByVal Sh As Object)
    On Error Resume Next
    JbInputChanged Sh.CodeName
End Sub
