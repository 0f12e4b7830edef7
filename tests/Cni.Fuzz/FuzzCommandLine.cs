using System.CommandLine;
using System.Globalization;
using Cni.Fuzz.Targets;
using SharpFuzz;

namespace Cni.Fuzz;

/// <summary>
/// <c>Cni.Fuzz list</c>; <c>Cni.Fuzz run TARGET</c> (under afl-fuzz: SharpFuzz's fork server, one input per
/// iteration on stdin; alone: one input from stdin); <c>Cni.Fuzz replay TARGET [PATH…]</c> (each file once, the
/// committed corpus by default; exit 1 naming every input that is a finding).
/// </summary>
internal static class FuzzCommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Coverage-guided fuzzing of wincni's input parsers (SharpFuzz + afl-fuzz).");

        var list = new Command("list", "The targets and what each exercises.");
        list.SetAction(_ =>
        {
            foreach (var target in FuzzTargets.All)
            {
                Console.WriteLine($"{target.Name,-20} {target.Description}");
            }

            return 0;
        });

        var runTarget = TargetArgument();
        var run = new Command("run", "Run a target under afl-fuzz (the fork server), or once on stdin without it.") { runTarget };
        run.SetAction(result =>
        {
            var target = Resolve(result.GetValue(runTarget)!);
            if (target is null)
            {
                return 2;
            }

            Fuzzer.Run(stream =>
            {
                using var input = new MemoryStream();
                stream.CopyTo(input);
                target.Run(input.GetBuffer().AsSpan(0, (int)input.Length));
            });
            return 0;
        });

        var replayTarget = TargetArgument();
        var paths = new Argument<string[]>("path") { Description = "Files or folders of inputs (default: Corpus/TARGET beside this program).", Arity = ArgumentArity.ZeroOrMore };
        var replay = new Command("replay", "Run every input of the corpus (or the given files and folders) once; exit 1 on a finding.") { replayTarget, paths };
        replay.SetAction(result =>
        {
            var target = Resolve(result.GetValue(replayTarget)!);
            if (target is null)
            {
                return 2;
            }

            var given = result.GetValue(paths) ?? [];
            return Replay(target, given.Length > 0 ? given : [Path.Combine(AppContext.BaseDirectory, "Corpus", target.Name)]);
        });

        root.Subcommands.Add(list);
        root.Subcommands.Add(run);
        root.Subcommands.Add(replay);
        return root;
    }

    private static Argument<string> TargetArgument() => new("target")
    {
        Description = "One of: " + string.Join(", ", FuzzTargets.All.Select(t => t.Name)),
    };

    private static IFuzzTarget? Resolve(string name)
    {
        var target = FuzzTargets.Find(name);
        if (target is null)
        {
            Console.Error.WriteLine($"unknown target '{name}'; one of: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))}");
        }

        return target;
    }

    private static int Replay(IFuzzTarget target, IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal));
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                Console.Error.WriteLine($"{path}: no such file or folder");
                return 2;
            }
        }

        var findings = 0;
        foreach (var file in files)
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
            }
#pragma warning disable CA1031 // Every exception is a finding to report, not a failure of the replay.
            catch (Exception e)
#pragma warning restore CA1031
            {
                findings++;
                Console.WriteLine($"FINDING {target.Name} {file}: {e}");
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{target.Name}: {files.Count} inputs replayed, {findings} findings"));
        return findings == 0 ? 0 : 1;
    }
}
