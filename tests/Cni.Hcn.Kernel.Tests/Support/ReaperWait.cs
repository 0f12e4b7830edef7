namespace Cni.Hcn.Kernel.Tests.Support;

/// <summary>Deleted endpoints' veths go in the background: tests that look at links afterwards wait for that first.</summary>
internal static class ReaperWait
{
    /// <summary>Returns once every veth retired so far has been deleted (fails after 10 s).</summary>
    public static async Task WaitForRetiredLinksAsync(this KernelHcn hcn, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (hcn.Reaper.Pending > 0)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"{hcn.Reaper.Pending} retired veths still not deleted");
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }
}
