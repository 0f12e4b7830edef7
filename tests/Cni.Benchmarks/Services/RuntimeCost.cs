using System.Globalization;
using System.Runtime;

namespace Cni.Benchmarks.Services;

/// <summary>
/// What the .NET runtime spent of a stretch of the process (collections, GC pauses, JIT time, CPU), so a bench figure
/// says how much of it was the work measured and how much the runtime around it.
/// </summary>
internal readonly record struct RuntimeCost(int Gen0, int Gen1, int Gen2, TimeSpan GcPause, TimeSpan Jit, long JittedMethods, TimeSpan Cpu, long Allocated)
{
    public static RuntimeCost Now() => new(
        GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(),
        System.Runtime.JitInfo.GetCompilationTime(), System.Runtime.JitInfo.GetCompiledMethodCount(), Environment.CpuUsage.TotalTime, GC.GetTotalAllocatedBytes());

    public static RuntimeCost operator -(RuntimeCost after, RuntimeCost before) => new(
        after.Gen0 - before.Gen0, after.Gen1 - before.Gen1, after.Gen2 - before.Gen2, after.GcPause - before.GcPause,
        after.Jit - before.Jit, after.JittedMethods - before.JittedMethods, after.Cpu - before.Cpu, after.Allocated - before.Allocated);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"process CPU {Cpu.TotalSeconds:0.00} s; allocated {Allocated / 1048576.0:0} MiB; GC pauses {GcPause.TotalSeconds:0.00} s ({Gen0} gen0, {Gen1} gen1, {Gen2} gen2 collections, {(GCSettings.IsServerGC ? "server" : "workstation")} GC); JIT {Jit.TotalSeconds:0.00} s ({JittedMethods} methods)");
}
