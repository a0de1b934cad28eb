@echo off
rem JBSys-XL offline installer: 64-bit Python 3.11, 3.12 or 3.13 on 64-bit Windows, for the
rem current user only: no administrator rights are needed at any step.
rem
rem Why it is written this way (see packaging/windows/README.md for the full review):
rem - ASCII only, CRLF line ends: cmd.exe reads a batch file in the console's OEM code page
rem   and expects CRLF. Chinese text lives in msg\*.txt, saved by the bundle builder as
rem   UTF-16LE with a byte-order mark, which TYPE prints through the console's Unicode API
rem   whatever the code page: no chcp, nothing to restore afterwards.
rem - Every path comes from a variable and is used inside double quotes, never ending in a
rem   backslash right before the closing quote; paths may hold spaces, parentheses, "&" or
rem   Chinese characters. PowerShell gets its path through a variable, never on its command line.
rem - Delayed expansion is off, so "!" in a path stays "!".
rem - After every program its exit code is compared with 0 on the next line ("neq 0" also
rem   catches the negative code of a crashed program, which "if errorlevel 1" misses).
rem - No comment holds a percent sign: cmd.exe expands variables in REM lines too.
setlocal EnableExtensions DisableDelayedExpansion
set "HERE=%~dp0"
set "MSG=%HERE%msg"
set "WHEELS=%HERE%wheels"
if not exist "%MSG%\welcome.txt" goto not_extracted
if not exist "%WHEELS%\jbsys_xl-*.whl" goto not_extracted
rem A PYTHONHOME or PYTHONPATH of another Python breaks the one used here. pip below runs
rem --isolated (no PIP_* variables, no user pip.ini) and "nul" (os.devnull) skips every
rem other pip.ini: an index, hashes or --user from there must not reach an offline install.
set "PYTHONHOME="
set "PYTHONPATH="
set "PIP_CONFIG_FILE=nul"
if not defined LOCALAPPDATA set "LOCALAPPDATA=%USERPROFILE%\AppData\Local"
set "VENV=%LOCALAPPDATA%\jbsys-xl\venv"
set "LAUNCHER=%LOCALAPPDATA%\Programs\Python\Launcher"
type "%MSG%\welcome.txt"

rem 1. 64-bit Windows (PROCESSOR_ARCHITEW6432 is set in a 32-bit cmd.exe on 64-bit Windows).
if /i "%PROCESSOR_ARCHITECTURE%"=="AMD64" goto windows_ok
if /i "%PROCESSOR_ARCHITEW6432%"=="AMD64" goto windows_ok
if /i "%PROCESSOR_ARCHITECTURE%"=="ARM64" goto windows_ok
type "%MSG%\not-64bit-windows.txt"
goto failed
:windows_ok

rem 2. A zip downloaded with a browser marks every extracted file as from the internet (Mark
rem    of the Web): Excel then blocks the workbooks' macros. Unblock-File takes the mark off
rem    this folder; the folder's name reaches PowerShell as an environment variable.
set "JBSYS_BUNDLE=%HERE%"
powershell -NoProfile -NonInteractive -Command "Get-ChildItem -LiteralPath $env:JBSYS_BUNDLE -Recurse | Unblock-File" 2>nul
if %errorlevel% neq 0 goto unblock_failed
:unblocked

rem 3. Excel closed: excel-setup replaces the add-in an open Excel holds.
tasklist /FI "IMAGENAME eq EXCEL.EXE" /NH 2>nul | find /I "EXCEL.EXE" >nul
if %errorlevel% equ 0 goto excel_running

rem 4. A 64-bit Python 3.13, 3.12 or 3.11 through the py launcher, newest first. The
rem    Microsoft Store's Python is passed over: its writes under AppData are redirected into
rem    its own package folder, where Excel would not find the environment made below.
:find_python
where py >nul 2>nul
if %errorlevel% neq 0 goto no_launcher
set "PYVER="
for %%v in (3.13 3.12 3.11) do if not defined PYVER (py -%%v-64 -c "import sys; sys.exit('WindowsApps' in sys.executable)" >nul 2>nul && set "PYVER=%%v")
if defined PYVER goto python_found
py -3-32 -c "import sys" >nul 2>nul
if %errorlevel% equ 0 goto only_32bit
goto no_python
:python_found
py -%PYVER%-64 -c "import struct, sys; sys.exit(struct.calcsize('P') < 8)"
if %errorlevel% neq 0 goto only_32bit
echo Python %PYVER% (64-bit)

rem 5. A fresh virtual environment of its own under the user's LOCALAPPDATA folder.
echo "%VENV%"
py -%PYVER%-64 -m venv --clear "%VENV%"
if %errorlevel% neq 0 goto venv_failed

rem 6. Install from the bundle's wheels only: no index, no network, no source builds.
"%VENV%\Scripts\python.exe" -m pip --isolated install --no-index --find-links "%WHEELS%" --only-binary=:all: --disable-pip-version-check --no-warn-script-location jbsys-xl
if %errorlevel% neq 0 goto pip_failed

rem 7. The xlwings add-in copied into Excel's XLSTART (no Excel is started); nothing global.
"%VENV%\Scripts\python.exe" -m jbsys_xl.cli excel-setup
if %errorlevel% neq 0 goto setup_failed

type "%MSG%\done.txt"
echo     "%VENV%\Scripts\jbsys-xl.exe" allocate WORKBOOK.xlsm --year 2024
echo     "%VENV%\Scripts\jbsys-xl.exe" -h
call :pause_unless_quiet %1
endlocal & exit /b 0

:not_extracted
echo Files are missing next to install.bat. Extract the whole zip first (right-click the zip,
echo "Extract All"), then run install.bat from the extracted folder.
goto failed_english

:unblock_failed
type "%MSG%\unblock-failed.txt"
goto unblocked

:excel_running
type "%MSG%\close-excel.txt"
goto failed

rem No usable Python: run python.org's installer if one lies beside install.bat (for the
rem current user, quietly: no administrator, no py.exe for all users, PATH left alone), then
rem look again through the launcher it installed; else say what to install and how.
:no_launcher
set "WHY=no-launcher.txt"
goto python_installer
:only_32bit
set "WHY=only-32bit.txt"
goto python_installer
:no_python
set "WHY=no-python.txt"
:python_installer
if defined PYTRIED goto python_missing
set "PYINST="
for %%f in ("%HERE%python-3.13*-amd64.exe" "%HERE%python-3.12*-amd64.exe" "%HERE%python-3.11*-amd64.exe") do if not defined PYINST set "PYINST=%%~ff"
if not defined PYINST goto python_missing
set "PYTRIED=1"
type "%MSG%\installing-python.txt"
"%PYINST%" /quiet InstallAllUsers=0 Include_launcher=1 InstallLauncherAllUsers=0 PrependPath=0 Include_test=0 Shortcuts=0
if %errorlevel% neq 0 goto python_install_failed
set "PATH=%LAUNCHER%;%PATH%"
goto find_python

:python_missing
type "%MSG%\%WHY%"
goto failed

:python_install_failed
type "%MSG%\python-install-failed.txt"
goto failed

:venv_failed
type "%MSG%\venv-failed.txt"
goto failed

:pip_failed
type "%MSG%\pip-failed.txt"
goto failed

:setup_failed
type "%MSG%\setup-failed.txt"
goto failed

:failed
type "%MSG%\failed.txt"
:failed_english
call :pause_unless_quiet %1
endlocal & exit /b 1

rem "install.bat /q" (a script, a test VM) runs without waiting for a key.
:pause_unless_quiet
if /i "%~1"=="/q" exit /b 0
pause
exit /b 0
