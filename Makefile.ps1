#!/usr/bin/env pwsh
# Build entry point for wincni. Plain PowerShell 7: `./Makefile.ps1 <target>` on Windows,
# `dotnet tool restore; dotnet pwsh ./Makefile.ps1 <target>` on Linux.
#
#   build    compile the solution (Release)
#   test     publish, then run every test project; ends with "N passed, N failed[, N skipped]"
#   publish  NativeAOT wincni and the wincnid daemon into artifacts/bin/
#   bench    exec-level benchmarks against Debian's reference plugins, same run, same machine
#   run      the main job for now: publish, then ask wincni for its VERSION like a runtime would
#   clean    remove build outputs
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'publish', 'bench', 'run', 'clean')]
    [string] $Target = 'build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Passed to `dotnet test --filter`, e.g. "FullyQualifiedName~Vector".
    [string] $Filter = ''
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$Root = $PSScriptRoot
$Artifacts = Join-Path $Root 'artifacts'
$BinDir = Join-Path $Artifacts 'bin'
$Rid = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
$ExeSuffix = if ($IsWindows) { '.exe' } else { '' }
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

function Invoke-Native {
    param([string] $File, [string[]] $Arguments)
    Write-Host "> $File $($Arguments -join ' ')" -ForegroundColor DarkGray
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "$File exited with code $LASTEXITCODE"
    }
}

function Invoke-Build {
    Invoke-Native dotnet @('build', (Join-Path $Root 'Cni.sln'), '-c', $Configuration, '--nologo')
}

function Invoke-Publish {
    New-Item -ItemType Directory -Force -Path $BinDir | Out-Null
    Invoke-Native dotnet @('publish', (Join-Path $Root 'cni/Cni.Plugin/Cni.Plugin.csproj'),
        '-c', 'Release', '-r', $Rid, '-o', $BinDir, '--nologo')
    # The daemon is long-running, so start-up time matters less than a normal runtime: framework-dependent, one file.
    Invoke-Native dotnet @('publish', (Join-Path $Root 'daemon/Cni.Daemon/Cni.Daemon.csproj'),
        '-c', 'Release', '-r', $Rid, '--self-contained', 'false', '-p:PublishSingleFile=true', '-o', $BinDir, '--nologo')
    foreach ($binary in @("wincni$ExeSuffix", "wincnid$ExeSuffix")) {
        $path = Join-Path $BinDir $binary
        if (-not (Test-Path $path)) {
            throw "publish did not produce $path"
        }
        Write-Host "published $path"
    }
}

# Counts outcomes from the TRX files of one run, so the closing line covers every test project.
function Get-TestCounts([string] $ResultsDir) {
    $counts = [ordered]@{ passed = 0; failed = 0; skipped = 0 }
    foreach ($file in Get-ChildItem -Path $ResultsDir -Filter '*.trx' -Recurse -ErrorAction SilentlyContinue) {
        [xml] $trx = Get-Content -Raw -LiteralPath $file.FullName
        foreach ($result in $trx.SelectNodes("//*[local-name()='UnitTestResult']")) {
            switch ($result.GetAttribute('outcome')) {
                'Passed' { $counts.passed++ }
                'NotExecuted' { $counts.skipped++ }
                default { $counts.failed++ }
            }
        }
    }
    return $counts
}

function Invoke-Test {
    Invoke-Publish
    $resultsDir = Join-Path $Artifacts 'test-results'
    if (Test-Path $resultsDir) { Remove-Item -Recurse -Force $resultsDir }
    $env:WINCNI_BIN_DIR = $BinDir

    $filter = if ($IsWindows) { '' } else { 'TestCategory!=Windows' }
    if ($Filter) { $filter = if ($filter) { "($filter)&($Filter)" } else { $Filter } }
    $arguments = @('test', (Join-Path $Root 'Cni.sln'), '-c', $Configuration, '--nologo',
        '--results-directory', $resultsDir, '--logger', 'trx', '--logger', 'console;verbosity=normal')
    if ($filter) { $arguments += @('--filter', $filter) }

    Write-Host "> dotnet $($arguments -join ' ')" -ForegroundColor DarkGray
    & dotnet @arguments
    $testExit = $LASTEXITCODE

    $counts = Get-TestCounts $resultsDir
    $line = "$($counts.passed) passed, $($counts.failed) failed"
    if ($counts.skipped -gt 0) { $line += ", $($counts.skipped) skipped" }
    if ($testExit -ne 0 -and $counts.failed -eq 0) {
        # A build error or a crashed test host fails the run even when no result says "Failed".
        Write-Host "dotnet test exited with code $testExit"
        $counts.failed = 1
        $line = "$($counts.passed) passed, $($counts.failed) failed"
    }
    Write-Host $line
    if ($counts.failed -gt 0 -or $counts.passed -eq 0) { exit 1 }
}

function Invoke-Bench {
    Invoke-Publish
    $env:WINCNI_BIN_DIR = $BinDir
    Invoke-Native dotnet @('run', '--project', (Join-Path $Root 'tests/Cni.Benchmarks/Cni.Benchmarks.csproj'),
        '-c', 'Release', '--', '--bin-dir', $BinDir)
}

function Invoke-Run {
    Invoke-Publish
    $wincni = Join-Path $BinDir "wincni$ExeSuffix"
    Write-Host "> CNI_COMMAND=VERSION $wincni <<< '{""cniVersion"":""1.1.0""}'"
    $env:CNI_COMMAND = 'VERSION'
    try {
        '{"cniVersion":"1.1.0"}' | & $wincni
        if ($LASTEXITCODE -ne 0) { throw "wincni VERSION exited with code $LASTEXITCODE" }
    }
    finally {
        Remove-Item Env:CNI_COMMAND
    }
}

function Invoke-Clean {
    foreach ($dir in @($Artifacts) + (Get-ChildItem -Path (Join-Path $Root '*/*/bin'), (Join-Path $Root '*/*/obj') -Directory -ErrorAction SilentlyContinue)) {
        if ($dir -and (Test-Path $dir)) { Remove-Item -Recurse -Force $dir }
    }
}

Push-Location $Root
try {
    switch ($Target) {
        'build' { Invoke-Build }
        'test' { Invoke-Test }
        'publish' { Invoke-Publish }
        'bench' { Invoke-Bench }
        'run' { Invoke-Run }
        'clean' { Invoke-Clean }
    }
}
finally {
    Pop-Location
}
