@echo off
rem JBSys-XL uninstaller: the environment install.bat made (LOCALAPPDATA\jbsys-xl) and the
rem xlwings add-in its excel-setup put into Excel's XLSTART (the one there before goes back;
rem one replaced since, or placed by another tool, stays). Workbooks are never touched.
rem Written to the same cmd.exe rules as install.bat (packaging/windows/README.md): ASCII
rem and CRLF, Chinese text only in msg\*.txt, every path quoted, no delayed expansion, an
rem exit-code check after every program, no percent sign in a comment.
setlocal EnableExtensions DisableDelayedExpansion
set "HERE=%~dp0"
set "MSG=%HERE%msg"
if not exist "%MSG%\uninstall.txt" goto not_extracted
set "PYTHONHOME="
set "PYTHONPATH="
if not defined LOCALAPPDATA set "LOCALAPPDATA=%USERPROFILE%\AppData\Local"
set "APPHOME=%LOCALAPPDATA%\jbsys-xl"
set "VENV=%APPHOME%\venv"
type "%MSG%\uninstall.txt"

rem 1. Excel closed: it holds the add-in open.
tasklist /FI "IMAGENAME eq EXCEL.EXE" /NH 2>nul | find /I "EXCEL.EXE" >nul
if %errorlevel% equ 0 goto excel_running

rem 2. The add-in and the old global settings, by the environment's own excel-setup, which
rem    knows what it placed. Without the environment the add-in is left (and said so).
if not exist "%VENV%\Scripts\python.exe" goto no_environment
"%VENV%\Scripts\python.exe" -m jbsys_xl.cli excel-setup --remove
if %errorlevel% neq 0 goto remove_failed

rem 3. The environment and excel-setup's notes beside it.
:delete_folder
if not exist "%APPHOME%" goto removed
rmdir /s /q "%APPHOME%"
if exist "%APPHOME%" goto folder_busy
:removed
type "%MSG%\uninstalled.txt"
call :pause_unless_quiet %1
endlocal & exit /b 0

:not_extracted
echo Files are missing next to uninstall.bat. Extract the whole zip first (right-click the
echo zip, "Extract All"), then run uninstall.bat from the extracted folder.
goto failed

:excel_running
type "%MSG%\close-excel.txt"
goto failed

:no_environment
type "%MSG%\no-environment.txt"
goto delete_folder

:remove_failed
type "%MSG%\remove-failed.txt"
goto failed

:folder_busy
type "%MSG%\folder-busy.txt"
goto failed

:failed
call :pause_unless_quiet %1
endlocal & exit /b 1

rem "uninstall.bat /q" (a script, a test VM) runs without waiting for a key.
:pause_unless_quiet
if /i "%~1"=="/q" exit /b 0
pause
exit /b 0
