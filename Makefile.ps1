#!/usr/bin/env pwsh
# Build entry point for wincni. Plain PowerShell 7: `./Makefile.ps1 <target>` on Windows,
# `dotnet tool restore; dotnet pwsh ./Makefile.ps1 <target>` on Linux.
#
#   build    compile the solution (Release)
#   test     publish, then run every test project; ends with "N passed, N failed[, N skipped]" (-HostTests on Windows:
#            also the tests against this host's HNS, which bind the host adapter)
#   publish  NativeAOT wincni and the wincnid daemon into artifacts/bin/
#   bench    benchmarks against Debian's reference plugins, same run, same machine (-Suite exec|daemon|services|kernel|services-kernel|all;
#            all = exec + daemon + services, and kernel on Linux; services-kernel only when asked); fails when a target is missed
#   demo     the main job on Linux (root): publish, then a local 2-node cluster (stand-in API server, wincnid --dataplane
#            kernel per node, two pods per node), a connectivity matrix, and teardown on Ctrl-C (-Exit: right away)
#   image    publish, then build the Linux image (deploy/images/Dockerfile.linux) with podman, buildah or docker, and on
#            Windows the HostProcess image (Dockerfile.windows) with docker; says which builder or platform is missing
#   run      a single-node smoke run: publish, VERSION, then a pod's ADD/STATUS/DEL through wincni -> wincnid (memory dataplane)
#   clean    remove build outputs
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'publish', 'bench', 'demo', 'image', 'run', 'clean')]
    [string] $Target = 'build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Passed to `dotnet test --filter`, e.g. "FullyQualifiedName~Vector".
    [string] $Filter = '',

    # demo: the node network mode (overlay = VXLAN, l2bridge = routes via node IPs, nat = one node with pods behind its
    # NAT, transparent = pods on the underlay through macvlans). l2tunnel needs Azure and has no demo.
    [ValidateSet('overlay', 'l2bridge', 'nat', 'transparent')]
    [string] $Mode = 'overlay',

    # demo: nodes and pods per node.
    [ValidateRange(1, 50)]
    [int] $Nodes = 2,
    [ValidateRange(1, 50)]
    [int] $PodsPerNode = 2,

    # demo: tear the cluster down right after the report instead of waiting for Ctrl-C.
    [switch] $Exit,

    # test: on Windows, also run the tests against this host's HNS and IP stack (categories Windows and FidelityProbe);
    # they create HCN networks and bind the host adapter, as a node does. The Windows workflow opts in.
    [switch] $HostTests,

    # bench: which suite (exec: the plugin's own cost; daemon: ADD through wincnid's memory dataplane; services: the
    # service proxy at 10,000 Services on MemoryHcn; kernel: ADD/DEL through its kernel dataplane; services-kernel: the
    # same Services into KernelHcn, root; all: every one this OS can run except services-kernel).
    [ValidateSet('exec', 'daemon', 'services', 'kernel', 'services-kernel', 'all')]
    [string] $Suite = 'all',

    # image: the repository the images are named in (wincni-linux, wincni-windows) and their tag.
    [string] $Registry = 'localhost/wincni',
    [string] $Tag = 'latest'
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

# Debian packages the Linux tests and the demo need (tool -> package). As root on a machine with apt, missing ones are
# installed, so the README's commands work on a fresh machine; elsewhere a warning says what the tests will lack.
$LinuxPackages = [ordered]@{
    'cc' = 'build-essential'; 'ip' = 'iproute2'; 'nft' = 'nftables'; 'busybox' = 'busybox-static'; 'nsenter' = 'util-linux'
    '/usr/lib/cni/bridge' = 'containernetworking-plugins'; 'ctr' = 'containerd'; 'runc' = 'runc'; 'podman' = 'podman'
    # deploy/ is rendered with kubectl kustomize by the tests and the local cluster (Debian's is kubectl 1.20).
    'kubectl' = 'kubernetes-client'
}

function Install-LinuxPackages {
    param([string[]] $Tools)
    if (-not $IsLinux) { return }
    $missing = @($Tools | Where-Object { -not ((Test-Path $_) -or (Get-Command $_ -ErrorAction SilentlyContinue)) } | ForEach-Object { $LinuxPackages[$_] } | Select-Object -Unique)
    if (-not (Test-Path '/usr/include/zlib.h') -and $Tools -contains 'cc') { $missing += 'zlib1g-dev' }
    if ($missing.Count -eq 0) { return }
    if ((id -u) -eq '0' -and (Get-Command apt-get -ErrorAction SilentlyContinue)) {
        Write-Host "installing $($missing -join ' ')"
        $env:DEBIAN_FRONTEND = 'noninteractive'
        Invoke-Native apt-get @('update', '-qq')
        Invoke-Native apt-get (@('install', '-y', '-qq', '--no-install-recommends') + $missing)
    }
    else {
        Write-Warning "missing Debian packages: $($missing -join ' ') (run as root with apt to install them); tests that need them are skipped"
    }
}

function Invoke-Test {
    Install-LinuxPackages @($LinuxPackages.Keys)
    Invoke-Publish
    $resultsDir = Join-Path $Artifacts 'test-results'
    if (Test-Path $resultsDir) { Remove-Item -Recurse -Force $resultsDir }
    $env:WINCNI_BIN_DIR = $BinDir

    # Every test project runs on every OS: tests that cannot run here are listed and skipped with the reason (Kernel
    # and E2E need Linux; the Windows and FidelityProbe categories need Windows with HNS, and there they run only with
    # -HostTests, because they make HCN networks and bind the host adapter).
    # PowerShell names are case-insensitive: this must not be called $filter, or it would overwrite -Filter.
    $testFilter = $Filter
    if ($HostTests) { $env:WINCNI_HOST_TESTS = '1' }
    $arguments = @('test', (Join-Path $Root 'Cni.sln'), '-c', $Configuration, '--nologo',
        '--results-directory', $resultsDir, '--logger', 'trx', '--logger', 'console;verbosity=normal')
    if ($testFilter) { $arguments += @('--filter', $testFilter) }

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
    Install-LinuxPackages @('ip', 'nft', 'nsenter', '/usr/lib/cni/bridge')
    Invoke-Publish
    $env:WINCNI_BIN_DIR = $BinDir
    # The benchmark program's own "all" is exec + daemon + services; the kernel suites are separate (root, real devices).
    $suites = switch ($Suite) {
        'all' { if ($IsLinux) { @('all', 'kernel', 'services-kernel') } else { @('all') } }
        default { @($Suite) }
    }
    # Published like wincnid (ready-to-run, same runtime options): the service suites run wincnid's own code in-process.
    $benchDir = Join-Path $Root 'artifacts/bench'
    Invoke-Native dotnet @('publish', (Join-Path $Root 'tests/Cni.Benchmarks/Cni.Benchmarks.csproj'),
        '-c', 'Release', '-r', $Rid, '--self-contained', 'false', '-o', $benchDir, '--nologo')
    $bench = Join-Path $benchDir "Cni.Benchmarks$ExeSuffix"
    $missed = @()
    foreach ($name in $suites) {
        & $bench --suite $name --bin-dir $BinDir
        if ($LASTEXITCODE -ne 0) { $missed += $name }
    }

    if ($missed.Count -gt 0) { throw "bench: a target was missed in suite(s) $($missed -join ', ') (the FAIL lines above)" }
}

# Runs wincni exactly as a container runtime does: env + stdin in, one CNI document out.
function Invoke-Cni([string] $Command, [string] $Config, [hashtable] $Environment = @{}) {
    $wincni = Join-Path $BinDir "wincni$ExeSuffix"
    $saved = @{}
    $variables = @{ CNI_COMMAND = $Command } + $Environment
    foreach ($name in $variables.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); [Environment]::SetEnvironmentVariable($name, $variables[$name]) }
    try {
        $output = $Config | & $wincni
        Write-Host "wincni $Command -> exit $LASTEXITCODE $output"
        if ($LASTEXITCODE -ne 0) { throw "wincni $Command failed" }
    }
    finally {
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    }
}

# A single-node smoke run (works on Windows too): VERSION, then a node daemon (memory dataplane, nothing touches the
# host's network) serving a pod's ADD, STATUS and DEL through the real plugin, and its status view.
function Invoke-Run {
    Invoke-Publish
    Invoke-Cni 'VERSION' '{"cniVersion":"1.1.0"}'

    $work = Join-Path ([System.IO.Path]::GetTempPath()) ("wincni-run-" + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory -Path $work | Out-Null
    $socket = Join-Path $work 'run/wincnid.sock'
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
    @"
mode: l2bridge
networkName: wincni
clusterCIDRs: [10.244.0.0/16]
serviceCIDRs: [10.96.0.0/12]
podCIDRs: [10.244.1.0/24]
nodeIP: 192.0.2.10
stateDir: $(Join-Path $work 'state')
socket: $socket
healthAddress: 127.0.0.1:$port
"@ | Set-Content -Path (Join-Path $work 'node.yaml')

    $wincnid = Join-Path $BinDir "wincnid$ExeSuffix"
    Write-Host "> $wincnid run --config $(Join-Path $work 'node.yaml') --dataplane memory"
    $daemon = Start-Process -FilePath $wincnid -ArgumentList @('run', '--config', (Join-Path $work 'node.yaml'), '--dataplane', 'memory') `
        -RedirectStandardOutput (Join-Path $work 'wincnid.log') -RedirectStandardError (Join-Path $work 'wincnid.err') -PassThru
    try {
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while ($true) {
            try { if ((Invoke-WebRequest -Uri "http://127.0.0.1:$port/readyz" -SkipHttpErrorCheck).StatusCode -eq 200) { break } } catch { }
            if ($daemon.HasExited -or [DateTime]::UtcNow -gt $deadline) { Get-Content (Join-Path $work 'wincnid.err') | Write-Host; throw 'wincnid did not become ready' }
            Start-Sleep -Milliseconds 200
        }
        Write-Host "wincnid ready on $socket (health http://127.0.0.1:$port/readyz)"

        $config = '{"cniVersion":"1.1.0","name":"wincni","type":"wincni","socket":"' + $socket.Replace('\', '\\') + '","capabilities":{"portMappings":true,"dns":true},"runtimeConfig":{"portMappings":[{"HostPort":8080,"ContainerPort":80,"Protocol":"tcp","HostIP":""}],"dns":{"Servers":["10.96.0.10"],"Searches":["default.svc.cluster.local"]}}}'
        $pod = @{ CNI_CONTAINERID = 'demo0123456789'; CNI_NETNS = (Join-Path $work 'netns-demo'); CNI_IFNAME = 'eth0'; CNI_PATH = $BinDir; CNI_ARGS = 'IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=demo' }
        New-Item -ItemType File -Path $pod.CNI_NETNS | Out-Null
        Invoke-Cni 'ADD' $config $pod
        Invoke-Cni 'STATUS' $config @{ CNI_PATH = $BinDir }
        Write-Host "> $wincnid status --socket $socket"
        & $wincnid status --socket $socket
        Invoke-Cni 'DEL' $config $pod
        Write-Host "metrics: http://127.0.0.1:$port/metrics (excerpt)"
        (Invoke-WebRequest -Uri "http://127.0.0.1:$port/metrics").Content -split "`n" | Where-Object { $_ -match '^wincni_(cni_requests_total|ready|ipam_addresses)' } | Write-Host
    }
    finally {
        if (-not $daemon.HasExited) { Stop-Process -Id $daemon.Id; $daemon.WaitForExit(10000) | Out-Null }
        Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
    }
}

function Invoke-Demo {
    if (-not $IsLinux) {
        throw 'demo runs a local multi-node cluster out of Linux network namespaces; on Windows use `./Makefile.ps1 run`'
    }
    if ((id -u) -ne '0') {
        throw 'demo needs root (network namespaces, veth, nftables): run it with sudo'
    }
    Install-LinuxPackages @('cc', 'ip', 'nft', 'busybox', 'nsenter', 'kubectl')
    Invoke-Publish
    $demoArgs = @('demo', '--mode', $Mode, '--nodes', "$Nodes", '--pods-per-node', "$PodsPerNode")
    if ($Exit) { $demoArgs += '--exit' }
    $env:WINCNI_BIN_DIR = $BinDir
    Invoke-Native dotnet (@('run', '--project', (Join-Path $Root 'tests/Cni.LocalCluster/Cni.LocalCluster.csproj'), '-c', $Configuration, '--') + $demoArgs)
}

# Builds the images from the published binaries: the Linux one with the first builder found, the Windows one only on
# Windows (wincni.exe is NativeAOT, which does not cross-compile between OSes). A missing builder is named, not guessed.
function Invoke-Image {
    Invoke-Publish
    $context = Join-Path $Artifacts 'image'
    if (Test-Path $context) { Remove-Item -Recurse -Force $context }
    New-Item -ItemType Directory -Path $context | Out-Null
    foreach ($binary in @("wincni$ExeSuffix", "wincnid$ExeSuffix")) { Copy-Item (Join-Path $BinDir $binary) $context }
    $images = Join-Path $Root 'deploy/images'
    if ($IsWindows) {
        if (-not (Get-Command docker -ErrorAction SilentlyContinue)) {
            throw 'image: the Windows HostProcess image needs docker (Windows containers, or buildx with --platform windows/amd64); none on PATH'
        }
        Invoke-Native docker @('build', '-f', (Join-Path $images 'Dockerfile.windows'), '-t', "$Registry/wincni-windows:$Tag", $context)
        Write-Host "built $Registry/wincni-windows:$Tag; the Linux image is built on Linux"
        return
    }

    $builder = @('podman', 'buildah', 'docker') | Where-Object { Get-Command $_ -ErrorAction SilentlyContinue } | Select-Object -First 1
    if (-not $builder) {
        throw 'image: no image builder on PATH (podman, buildah or docker; Debian: apt-get install podman)'
    }
    $verb = if ($builder -eq 'buildah') { 'bud' } else { 'build' }
    Invoke-Native $builder @($verb, '-f', (Join-Path $images 'Dockerfile.linux'), '-t', "$Registry/wincni-linux:$Tag", $context)
    Write-Host "built $Registry/wincni-linux:$Tag with $builder"
    Write-Host 'not built here: the Windows image (wincni-windows) needs wincni.exe published on Windows; run `./Makefile.ps1 image` there'
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
        'demo' { Invoke-Demo }
        'image' { Invoke-Image }
        'run' { Invoke-Run }
        'clean' { Invoke-Clean }
    }
}
finally {
    Pop-Location
}
