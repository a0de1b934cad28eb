' Edits of the input sheets are counted in module JbState, never written into the workbook:
' a macro that changes the workbook empties Excel's Undo list. The event procedures keep the
' parameter types Excel declares for them (VBA refuses to compile others); JbState takes
' Object and Excel's constants by value, which WPS's VBA may lack.
Option Explicit

Private Sub Workbook_SheetChange(ByVal Sh As Object, ByVal Target As Range)
    On Error Resume Next
    JbSheetChanged Sh
End Sub

' A formula got a new result: an input when it is on an input sheet and no JB* cell.
Private Sub Workbook_SheetCalculate(ByVal Sh As Object)
    On Error Resume Next
    JbSheetCalculated Sh
End Sub

' Back from another workbook, whose edits the JB* cells did not follow.
Private Sub Workbook_Activate()
    On Error Resume Next
    JbActivated
End Sub

' Macros run: at opening, or once Enable Content is clicked.
Private Sub Workbook_Open()
    On Error Resume Next
    JbOpened
End Sub
