; Inno Setup script for the Windows installer. Built by packaging/windows/build.ps1 after PyInstaller made
; dist\giftbatch\ (same spec as Linux). Installs per machine under Program Files, adds a Start menu entry for the
; windowed giftbatchw.exe, and puts the console giftbatch.exe on no PATH (IT can script it by full path).
#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif

[Setup]
AppId={{6C1E3B59-2B0A-4D55-9A53-9B7D1C2F4E10}
AppName=Giftbatch
AppVersion={#AppVersion}
AppPublisher=Giftbatch
DefaultDirName={autopf}\Giftbatch
DefaultGroupName=Giftbatch
DisableProgramGroupPage=yes
OutputDir=..\..\dist
OutputBaseFilename=giftbatch-{#AppVersion}-windows-setup
SetupIconFile=..\..\app\resources\icons\giftbatch.ico
UninstallDisplayIcon={app}\giftbatchw.exe
Compression=lzma2/max
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequiredOverridesAllowed=dialog
WizardStyle=modern

[Files]
Source: "..\..\dist\giftbatch\*"; DestDir: "{app}"; Flags: recursesubdirs createallsubdirs ignoreversion

[Icons]
Name: "{group}\Giftbatch"; Filename: "{app}\giftbatchw.exe"
Name: "{autodesktop}\Giftbatch"; Filename: "{app}\giftbatchw.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Run]
Filename: "{app}\giftbatchw.exe"; Description: "Start Giftbatch"; Flags: nowait postinstall skipifsilent
