@echo off
rem JBSys-XL offline installer: 64-bit Python 3.11, 3.12 or 3.13 on 64-bit Windows.
rem
rem Why it is written this way (see packaging/windows/README.md for the full review):
rem - ASCII only, CRLF line ends: cmd.exe reads a batch file in the console's OEM code page
rem   and expects CRLF. Chinese text lives in msg\*.txt, saved by the bundle builder as
rem   UTF-16LE with a byte-order mark, which TYPE prints through the console's Unicode API
rem   whatever the code page: no chcp, nothing to restore afterwards.
rem - Every path comes from a variable and is used inside double quotes, never ending in a
rem   backslash right before the closing quote; paths may hold spaces, parentheses, "&" or
rem   Chinese characters. No parenthesised block expands a path.
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
type "%MSG%\welcome.txt"

rem 1. 64-bit Windows (PROCESSOR_ARCHITEW6432 is set in a 32-bit cmd.exe on 64-bit Windows).
if /i "%PROCESSOR_ARCHITECTURE%"=="AMD64" goto windows_ok
if /i "%PROCESSOR_ARCHITEW6432%"=="AMD64" goto windows_ok
if /i "%PROCESSOR_ARCHITECTURE%"=="ARM64" goto windows_ok
type "%MSG%\not-64bit-windows.txt"
goto failed
:windows_ok

rem 2. Excel closed: excel-setup replaces the add-in an open Excel holds.
tasklist /FI "IMAGENAME eq EXCEL.EXE" /NH 2>nul | find /I "EXCEL.EXE" >nul
if %errorlevel% equ 0 goto excel_running

rem 3. A 64-bit Python 3.13, 3.12 or 3.11 through the py launcher, newest first. The
rem    Microsoft Store's Python is passed over: its writes under AppData are redirected into
rem    its own package folder, where Excel would not find the environment made below.
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

rem 4. A fresh virtual environment of its own under the user's LOCALAPPDATA folder.
echo "%VENV%"
py -%PYVER%-64 -m venv --clear "%VENV%"
if %errorlevel% neq 0 goto venv_failed

rem 5. Install from the bundle's wheels only: no index, no network, no source builds.
"%VENV%\Scripts\python.exe" -m pip --isolated install --no-index --find-links "%WHEELS%" --only-binary=:all: --disable-pip-version-check --no-warn-script-location jbsys-xl
if %errorlevel% neq 0 goto pip_failed

rem 6. The xlwings add-in in Excel's XLSTART and this Python in the user's xlwings.conf.
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

:excel_running
type "%MSG%\close-excel.txt"
goto failed

:no_launcher
type "%MSG%\no-launcher.txt"
goto failed

:only_32bit
type "%MSG%\only-32bit.txt"
goto failed

:no_python
type "%MSG%\no-python.txt"
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
