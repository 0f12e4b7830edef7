#!/usr/bin/env pwsh
# Build entry point for wincni. Plain PowerShell 7: `./Makefile.ps1 <target>` on Windows,
# `dotnet tool restore; dotnet pwsh ./Makefile.ps1 <target>` on Linux.
#
#   build    compile the solution (Release)
#   test     publish, then run every test project but the fault campaign and the soak; ends with "N passed, N failed[, N skipped]"
#            (-HostTests on Windows: also the tests against this host's HNS, which bind the host adapter)
#   faults   the fault campaign (Linux, root): tests of category Faults (bad input through the real binaries, SIGKILL
#            under churn on both dataplanes, disk full / read-only state, HCN faults at every step, socket peers), then
#            afl-fuzz on every Cni.Fuzz target (-FuzzSeconds each; 0 skips it); -Cycles N kill cycles per campaign;
#            -Soak: instead, the kernel-dataplane soak (-SoakMinutes, default 30) alone; ends with "faults: N passed, N failed"
#   publish  NativeAOT wincni and the wincnid daemon into artifacts/bin/
#   bench    benchmarks against Debian's reference plugins, same run, same machine (-Suite exec|daemon|services|kernel|services-kernel|all;
#            all = exec + daemon + services, and kernel on Linux; services-kernel only when asked); fails when a target is missed
#   demo     the main job on Linux (root): publish, then a local 2-node cluster (stand-in API server, wincnid --dataplane
#            kernel per node, two pods per node), a connectivity matrix, and teardown on Ctrl-C (-Exit: right away)
#   image    publish, then build the Linux image with podman, buildah or docker (-LinuxBase: registry = Dockerfile.linux on
#            Microsoft's ASP.NET image; debian-rootfs = Containerfile.debian-rootfs on a debootstrap'd Debian 12 with a
#            self-contained wincnid, no registry needed; auto = debian-rootfs when root with apt, else registry), and on
#            Windows the HostProcess image (Dockerfile.windows) with docker; says which builder or platform is missing
#   run      a single-node smoke run: publish, VERSION, then a pod's ADD/STATUS/DEL through wincni -> wincnid (memory dataplane)
#   clean    remove build outputs
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'faults', 'publish', 'bench', 'demo', 'image', 'run', 'clean')]
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
    [string] $Tag = 'latest',

    # image: what the Linux image is built on (see the target's description).
    [ValidateSet('auto', 'registry', 'debian-rootfs')]
    [string] $LinuxBase = 'auto',

    # faults: SIGKILL cycles of each kill campaign (0: each test's own default, 50 on the kernel dataplane).
    [ValidateRange(0, 100000)]
    [int] $Cycles = 0,

    # faults: seconds of afl-fuzz per fuzz target (0: no fuzzing, the corpus is still replayed).
    [ValidateRange(0, 86400)]
    [int] $FuzzSeconds = 60,

    # faults: run the soak (pod churn on the kernel dataplane, resources sampled) instead of the campaign.
    [switch] $Soak,

    # faults -Soak: how long the churn runs; samples are taken every minute (every 15 s below 10 minutes).
    [ValidateRange(1, 1440)]
    [int] $SoakMinutes = 30
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
    'kubectl' = 'kubernetes-client'; 'setpriv' = 'util-linux'; 'chattr' = 'e2fsprogs'; 'mkfs.ext4' = 'e2fsprogs'; 'afl-fuzz' = 'afl++'
    'debootstrap' = 'debootstrap'
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

# `dotnet test` of the solution with TRX results in $ResultsDir; returns its exit code.
function Invoke-DotnetTest([string] $ResultsDir, [string] $TestFilter) {
    $arguments = @('test', (Join-Path $Root 'Cni.sln'), '-c', $Configuration, '--nologo',
        '--results-directory', $ResultsDir, '--logger', 'trx', '--logger', 'console;verbosity=normal')
    if ($TestFilter) { $arguments += @('--filter', $TestFilter) }

    Write-Host "> dotnet $($arguments -join ' ')" -ForegroundColor DarkGray
    & dotnet @arguments | Out-Host
    return $LASTEXITCODE
}

function Invoke-Test {
    Install-LinuxPackages @($LinuxPackages.Keys | Where-Object { $_ -ne 'afl-fuzz' })
    Invoke-Publish
    $resultsDir = Join-Path $Artifacts 'test-results'
    if (Test-Path $resultsDir) { Remove-Item -Recurse -Force $resultsDir }
    $env:WINCNI_BIN_DIR = $BinDir

    # Every test project runs on every OS: tests that cannot run here are listed and skipped with the reason (Kernel
    # and E2E need Linux; the Windows and FidelityProbe categories need Windows with HNS, and there they run only with
    # -HostTests, because they make HCN networks and bind the host adapter).
    # PowerShell names are case-insensitive: this must not be called $filter, or it would overwrite -Filter.
    # The fault campaign and the soak have their own target (faults); -Filter can still pick them.
    $testFilter = if ($Filter) { $Filter } else { 'TestCategory!=Faults&TestCategory!=Soak' }
    if ($HostTests) { $env:WINCNI_HOST_TESTS = '1' }
    $testExit = Invoke-DotnetTest $resultsDir $testFilter

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

# The fault campaign: every test of category Faults (or, with -Soak, the soak alone), then the fuzz targets.
function Invoke-Faults {
    if (-not $IsLinux) { throw 'faults runs on Linux: network namespaces, mount namespaces, SIGKILL, afl-fuzz' }
    if ((id -u) -ne '0') { throw 'faults needs root (network and mount namespaces, another uid, nftables): run it with sudo' }
    Install-LinuxPackages @($LinuxPackages.Keys)
    Invoke-Publish
    $resultsDir = Join-Path $Artifacts 'faults-results'
    if (Test-Path $resultsDir) { Remove-Item -Recurse -Force $resultsDir }
    $env:WINCNI_BIN_DIR = $BinDir
    if ($Cycles -gt 0) { $env:WINCNI_CAMPAIGN_CYCLES = "$Cycles" }

    $clock = [Diagnostics.Stopwatch]::StartNew()
    if ($Soak) {
        $env:WINCNI_SOAK_MINUTES = "$SoakMinutes"
        $testFilter = 'TestCategory=Soak'
    }
    else {
        $testFilter = 'TestCategory=Faults&TestCategory!=Soak'
    }
    if ($Filter) { $testFilter = "($testFilter)&($Filter)" }
    $testExit = Invoke-DotnetTest $resultsDir $testFilter
    $counts = Get-TestCounts $resultsDir
    if ($testExit -ne 0 -and $counts.failed -eq 0) {
        Write-Host "dotnet test exited with code $testExit"
        $counts.failed = 1
    }
    Write-Host ("tests: {0} passed, {1} failed, {2} skipped in {3:0} s" -f $counts.passed, $counts.failed, $counts.skipped, $clock.Elapsed.TotalSeconds)

    if (-not $Soak) {
        $fuzz = Invoke-Fuzz
        $counts.passed += $fuzz.passed
        $counts.failed += $fuzz.failed
    }

    Write-Host ("faults: {0} passed, {1} failed" -f $counts.passed, $counts.failed)
    if ($counts.failed -gt 0 -or $counts.passed -eq 0) { exit 1 }
}

# Fuzzing with SharpFuzz + afl-fuzz (Debian's afl++): Cni.Fuzz is published twice, as is (to replay inputs) and with
# wincni's parser assemblies instrumented for afl-fuzz's coverage map; every target's committed corpus is replayed,
# then each target is fuzzed for -FuzzSeconds from that corpus. Crashes are replayed to print what they are, and
# kept in artifacts/fuzz/findings/TARGET/default/crashes. One pass or fail per target.
function Invoke-Fuzz {
    $result = @{ passed = 0; failed = 0 }
    $fuzzRoot = Join-Path $Artifacts 'fuzz'
    $plain = Join-Path $fuzzRoot 'plain'
    $instrumented = Join-Path $fuzzRoot 'instrumented'
    $findings = Join-Path $fuzzRoot 'findings'
    foreach ($dir in @($plain, $instrumented, $findings)) { if (Test-Path $dir) { Remove-Item -Recurse -Force $dir } }
    New-Item -ItemType Directory -Force -Path $findings | Out-Null
    Invoke-Native dotnet @('publish', (Join-Path $Root 'tests/Cni.Fuzz/Cni.Fuzz.csproj'), '-c', 'Release', '-o', $plain, '--nologo') | Out-Host
    Copy-Item -Recurse -Path $plain -Destination $instrumented
    # wincni's own parsers, and YamlDotNet under the node config loader; not the runtime, not SharpFuzz.
    foreach ($assembly in @('Cni.Spec.dll', 'wincni.dll', 'Cni.Node.dll', 'wincnid.dll', 'YamlDotNet.dll')) {
        Invoke-Native dotnet @('tool', 'run', 'sharpfuzz', (Join-Path $instrumented $assembly)) | Out-Host
    }

    $targets = @(& dotnet (Join-Path $plain 'Cni.Fuzz.dll') list | ForEach-Object { ($_ -split '\s+')[0] })
    $aflFuzz = Get-Command afl-fuzz -ErrorAction SilentlyContinue
    if ($FuzzSeconds -gt 0 -and -not $aflFuzz) {
        if ($env:CI -eq 'true') { throw 'afl-fuzz is missing (apt-get install afl++)' }
        Write-Warning 'afl-fuzz is missing (apt-get install afl++): the corpus is replayed, nothing is fuzzed'
    }

    # afl-fuzz runs `dotnet`, which carries no AFL instrumentation marker, and shares this machine's cores.
    $env:AFL_SKIP_BIN_CHECK = '1'; $env:AFL_SKIP_CPUFREQ = '1'; $env:AFL_NO_UI = '1'; $env:AFL_NO_AFFINITY = '1'
    $env:AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES = '1'
    $summary = @()
    foreach ($target in $targets) {
        $corpus = Join-Path $plain "Corpus/$target"
        & dotnet (Join-Path $plain 'Cni.Fuzz.dll') replay $target $corpus | Out-Host
        $ok = $LASTEXITCODE -eq 0
        $line = "fuzz $target"
        if ($ok -and $FuzzSeconds -gt 0 -and $aflFuzz) {
            $out = Join-Path $findings $target
            $log = Join-Path $fuzzRoot "$target.log"
            Write-Host "> afl-fuzz -i $corpus -o $out -V $FuzzSeconds -- dotnet Cni.Fuzz.dll run $target" -ForegroundColor DarkGray
            & afl-fuzz -i $corpus -o $out -t 5000 -m none -V $FuzzSeconds -- dotnet (Join-Path $instrumented 'Cni.Fuzz.dll') run $target *> $log
            if ($LASTEXITCODE -ne 0 -and (Select-String -Path $log -Pattern 'perform_dry_run' -Quiet)) {
                # afl-fuzz gave up in its dry run before fuzzing anything (seen once, on a machine under heavy load:
                # "No instrumentation detected" for a target that then ran 80,000 executions in 5 s): one retry.
                Get-Content $log -Tail 4 | Write-Host
                Write-Host "fuzz ${target}: afl-fuzz stopped in its dry run; retrying once" -ForegroundColor Yellow
                Remove-Item -Recurse -Force $out -ErrorAction SilentlyContinue
                & afl-fuzz -i $corpus -o $out -t 5000 -m none -V $FuzzSeconds -- dotnet (Join-Path $instrumented 'Cni.Fuzz.dll') run $target *> $log
            }
            $statsFile = Join-Path $out 'default/fuzzer_stats'
            if ($LASTEXITCODE -ne 0 -or -not (Test-Path $statsFile)) {
                Get-Content $log -Tail 30 | Write-Host
                $ok = $false
                $line += ': afl-fuzz failed (log above)'
            }
            else {
                $stats = @{}
                foreach ($entry in Get-Content $statsFile) { $k, $v = $entry -split '\s*:\s*', 2; $stats[$k.Trim()] = "$v".Trim() }
                $crashes = [int]$stats['saved_crashes']; $hangs = [int]$stats['saved_hangs']
                $line += (": {0} executions in {1} s ({2}/s), {3} crashes, {4} hangs, corpus {5} inputs (from {6}), coverage {7}" -f
                    $stats['execs_done'], $stats['run_time'], $stats['execs_per_sec'], $crashes, $hangs, $stats['corpus_count'],
                    @(Get-ChildItem -File $corpus).Count, $stats['bitmap_cvg'])
                if ($crashes -gt 0) {
                    & dotnet (Join-Path $plain 'Cni.Fuzz.dll') replay $target (Join-Path $out 'default/crashes') | Out-Host
                    $ok = $false
                }
                if ($hangs -gt 0) {
                    Write-Host "hangs kept in $(Join-Path $out 'default/hangs')"
                    $ok = $false
                }
            }
        }
        elseif (-not $ok) {
            $line += ': the committed corpus has findings (above)'
        }
        else {
            $line += ': corpus replayed, not fuzzed'
        }

        if ($ok) { $result.passed++ } else { $result.failed++ }
        $summary += $line
    }

    $summary | ForEach-Object { Write-Host $_ }
    return $result
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
    $base = $LinuxBase
    if ($base -eq 'auto') {
        $base = if ((id -u) -eq '0' -and (Get-Command apt-get -ErrorAction SilentlyContinue)) { 'debian-rootfs' } else { 'registry' }
    }

    $file = Join-Path $images 'Dockerfile.linux'
    if ($base -eq 'debian-rootfs') {
        # No registry on the way: Debian's own mirror gives the base, and wincnid carries its runtime.
        if ((id -u) -ne '0') { throw 'image: -LinuxBase debian-rootfs needs root (debootstrap); use -LinuxBase registry' }
        Install-LinuxPackages @('debootstrap')
        $rootfs = Join-Path $Artifacts 'image-rootfs'
        if (Test-Path $rootfs) { Remove-Item -Recurse -Force $rootfs }
        $mirror = if ($env:DEBIAN_MIRROR) { $env:DEBIAN_MIRROR } else { 'http://deb.debian.org/debian' }
        Write-Host "debootstrap: Debian 12 minbase with nftables from $mirror"
        Invoke-Native debootstrap @('--variant=minbase', '--include=nftables,ca-certificates', 'bookworm', $rootfs, $mirror)
        Invoke-Native tar @('-C', $rootfs, '-cf', (Join-Path $context 'rootfs.tar'), '.')
        Remove-Item -Recurse -Force $rootfs
        Invoke-Native dotnet @('publish', (Join-Path $Root 'daemon/Cni.Daemon/Cni.Daemon.csproj'),
            '-c', 'Release', '-r', $Rid, '--self-contained', 'true', '-p:PublishSingleFile=true', '-p:DebugType=none',
            '-o', (Join-Path $Artifacts 'image-daemon'), '--nologo')
        Copy-Item -Force (Join-Path $Artifacts 'image-daemon/wincnid') $context
        $file = Join-Path $images 'Containerfile.debian-rootfs'
    }

    Invoke-Native $builder @($verb, '-f', $file, '-t', "$Registry/wincni-linux:$Tag", $context)
    if ($builder -ne 'buildah') {
        # The image is run once: both binaries start and nft is there. (runc refuses the host's rlimits here without these.)
        $run = @('run', '--rm', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024', '--entrypoint')
        Invoke-Native $builder ($run + @('/opt/wincni/wincnid', "$Registry/wincni-linux:$Tag", '--version'))
        Invoke-Native $builder ($run + @('nft', "$Registry/wincni-linux:$Tag", '--version'))
    }
    Write-Host "built $Registry/wincni-linux:$Tag with $builder on $base ($([IO.Path]::GetFileName($file)))"
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
        'faults' { Invoke-Faults }
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
