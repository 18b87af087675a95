; Inno Setup 6 script for the Windows installer. NOT built or tested in this repository's CI (Linux only);
; see docs/install.md. On a Windows build machine, from the repository root:
;
;   py -3.11 -m venv .venv && .venv\Scripts\pip install -e ".[dev]"
;   .venv\Scripts\pyinstaller --noconfirm --distpath build\pyinstaller\dist --workpath build\pyinstaller\work packaging\sealpost.spec
;   iscc /DAppVersion=0.1.0 packaging\sealpost.iss        (the version in pyproject.toml)
;
; Output: dist\sealpost-<version>-setup.exe, a per-user install by default (no admin rights needed); the
; user may choose an all-users install in the wizard. Sign both sealpost.exe and the setup with signtool.

#ifndef AppVersion
  #error Pass the version from pyproject.toml: iscc /DAppVersion=X.Y.Z packaging\sealpost.iss
#endif

[Setup]
; Never change AppId: Windows uses it to find the installed copy for upgrades and uninstall.
AppId={{1B8D4CF0-A53B-47D8-A30D-034EFB006D81}
AppName=Sealpost
AppVersion={#AppVersion}
AppPublisher=Sealpost engineers
AppComments=Secure email for healthcare staff, sent through Paubox
DefaultDirName={autopf}\Sealpost
DefaultGroupName=Sealpost
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
SourceDir=..
OutputDir=dist
OutputBaseFilename=sealpost-{#AppVersion}-setup
SetupIconFile=resources\icons\sealpost.ico
UninstallDisplayIcon={app}\sealpost.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Closes a running Sealpost before files are replaced; the outbox survives in the user's profile.
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The one-folder PyInstaller bundle: sealpost.exe and _internal\.
Source: "build\pyinstaller\dist\sealpost\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Sealpost"; Filename: "{app}\sealpost.exe"
Name: "{autodesktop}\Sealpost"; Filename: "{app}\sealpost.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\sealpost.exe"; Description: "{cm:LaunchProgram,Sealpost}"; Flags: nowait postinstall skipifsilent

; Uninstall removes only the program. Messages, settings and logs stay in the user's profile
; (%LOCALAPPDATA%\Sealpost) and the keys in Windows Credential Manager, so a reinstall loses nothing.
