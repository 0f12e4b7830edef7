using System.Globalization;
using System.Text;

namespace Cni.Hcn.Tests.Windows;

/// <summary>
/// Where the fidelity probe writes its answers: the test's output, and (when WINCNI_PROBE_REPORT names a file) one
/// Markdown line per answer appended to it, which the Windows workflow publishes as the job summary. An answer that
/// contradicts what wincni assumes is also raised as an NUnit warning, so the run shows it without failing.
/// </summary>
internal static class ProbeReport
{
    private static readonly Lock Gate = new();

    /// <summary>Records one answer.</summary>
    /// <param name="question">The open question (docs/windows-flows.md numbers them).</param>
    /// <param name="answer">What this host answered.</param>
    /// <param name="assumption">What wincni assumes; null when it assumes nothing.</param>
    /// <param name="matches">Whether the answer matches the assumption; null when there is none.</param>
    public static void Answer(string question, string answer, string? assumption = null, bool? matches = null)
    {
        var verdict = matches switch
        {
            true => "matches wincni's assumption",
            false => "DIFFERS from wincni's assumption: " + assumption,
            null => assumption is null ? "" : "wincni assumes: " + assumption,
        };
        var line = string.Create(CultureInfo.InvariantCulture, $"| {Escape(question)} | {Escape(answer)} | {Escape(verdict)} |");
        TestContext.Out.WriteLine("PROBE " + question + ": " + answer + (verdict.Length == 0 ? "" : " — " + verdict));
        if (Environment.GetEnvironmentVariable("WINCNI_PROBE_REPORT") is { Length: > 0 } path)
        {
            lock (Gate)
            {
                if (!File.Exists(path))
                {
                    File.WriteAllText(path, "| question | answer on this host | verdict |\n|---|---|---|\n", Encoding.UTF8);
                }

                File.AppendAllText(path, line + "\n", Encoding.UTF8);
            }
        }

        if (matches == false)
        {
            Assert.Warn($"{question}: {answer} — {verdict}");
        }
    }

    /// <summary>How a call ended: "ok" or the HRESULT with its name.</summary>
    public static async Task<string> OutcomeAsync(Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
            return "ok";
        }
        catch (Cni.Hcn.Errors.HcnException ex)
        {
            return $"{ex.HexCode} {ex.Info.Name}";
        }
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
