# Builds the Windows app folder and installer: dist\giftbatch\ and dist\giftbatch-<version>-windows-setup.exe.
# Needs Python 3.11 and Inno Setup 6 (iscc on PATH, as on GitHub's windows runners). Mirrors packaging/build.sh.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")
if (-not (Test-Path .venv)) { py -3.11 -m venv .venv }
.\.venv\Scripts\python -m pip install -q -e ".[build]"
$version = .\.venv\Scripts\python -c "import app; print(app.__version__)"
.\.venv\Scripts\python -m PyInstaller --noconfirm --clean --log-level WARN `
    --distpath dist --workpath build\pyinstaller packaging\giftbatch.spec
iscc /Q "/DAppVersion=$version" packaging\windows\giftbatch.iss
Get-ChildItem dist\*.exe | ForEach-Object { "{0,-50} {1,8:N1} MB" -f $_.Name, ($_.Length / 1MB) }
