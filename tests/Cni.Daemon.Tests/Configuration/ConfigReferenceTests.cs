using System.Reflection;
using System.Text.RegularExpressions;
using Cni.Daemon.Configuration;
using Cni.Node.Configuration;

namespace Cni.Daemon.Tests.Configuration;

/// <summary>
/// README's node config reference cannot drift: its table lists exactly the keys the loader reads, and every
/// configurable <see cref="NodeOptions"/> property (recursively) is one of those keys.
/// </summary>
[TestFixture]
public sealed partial class ConfigReferenceTests
{
    /// <summary>Properties whose key is not their camel-cased name.</summary>
    private static readonly Dictionary<string, string> KeyOfProperty = new(StringComparer.Ordinal)
    {
        ["clusterCidrs"] = "clusterCIDRs",
        ["serviceCidrs"] = "serviceCIDRs",
        ["podCidrs"] = "podCIDRs",
        ["nodeIp"] = "nodeIP",
        ["ipQuarantine"] = "ipQuarantineSeconds",
        ["eventGracePeriod"] = "eventGracePeriodSeconds",
        ["serviceProxy.minSyncInterval"] = "serviceProxy.minSyncPeriodMilliseconds",
        ["serviceProxy.resyncPeriod"] = "serviceProxy.syncPeriodSeconds",
        ["adapters[].macAddress"] = "adapters[].mac",
    };

    /// <summary>Properties that are no config key (resolved at start).</summary>
    private static readonly string[] NotKeys = ["dsr"];

    [Test]
    public void Readme_ConfigReferenceTable_ListsExactlyTheLoadersKeys()
    {
        var documented = ReadmeKeys();

        Assert.Multiple(() =>
        {
            Assert.That(NodeConfigLoader.KeyPaths().Except(documented), Is.Empty, "keys the loader reads that README's config reference lacks");
            Assert.That(documented.Except(NodeConfigLoader.KeyPaths()), Is.Empty, "README rows for keys the loader does not read");
            Assert.That(documented, Is.Unique);
        });
    }

    [Test]
    public void NodeOptions_EveryConfigurableProperty_IsADocumentedKey()
    {
        var documented = ReadmeKeys();

        var missing = PropertyKeys(typeof(NodeOptions), "").Where(k => !NotKeys.Contains(k) && !documented.Contains(k)).ToList();

        Assert.That(missing, Is.Empty, "NodeOptions properties with no key in README's config reference (add the key to the loader and a row to README)");
    }

    [Test]
    public void Readme_EveryRow_HasADefaultAndAMeaning()
    {
        var rows = ReferenceRows().Where(r => r.Cells.Length < 3 || r.Cells[1].Length == 0 || r.Cells[2].Length == 0).Select(r => r.Key);

        Assert.That(rows, Is.Empty);
    }

    private static IEnumerable<string> PropertyKeys(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is not null))
        {
            var name = prefix + char.ToLowerInvariant(property.Name[0]) + property.Name[1..];
            var itemType = property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(IReadOnlyList<>)
                ? property.PropertyType.GetGenericArguments()[0]
                : null;
            if (IsSection(property.PropertyType))
            {
                foreach (var key in PropertyKeys(property.PropertyType, name + "."))
                {
                    yield return key;
                }
            }
            else if (itemType is not null && IsSection(itemType))
            {
                foreach (var key in PropertyKeys(itemType, name + "[]."))
                {
                    yield return key;
                }
            }
            else
            {
                yield return KeyOfProperty.GetValueOrDefault(name, name);
            }
        }
    }

    private static bool IsSection(Type type) => type.IsClass && type.Namespace == typeof(NodeOptions).Namespace;

    private static List<string> ReadmeKeys() => [.. ReferenceRows().Select(r => r.Key)];

    private static IEnumerable<(string Key, string[] Cells)> ReferenceRows()
    {
        var lines = File.ReadAllLines(ReadmePath());
        var start = Array.FindIndex(lines, l => l.StartsWith("### Node config reference", StringComparison.Ordinal));
        Assert.That(start, Is.GreaterThanOrEqualTo(0), "README has a '### Node config reference' section");
        foreach (var line in lines.Skip(start + 1).TakeWhile(l => !l.StartsWith('#')))
        {
            var match = RowPattern().Match(line);
            if (match.Success)
            {
                yield return (match.Groups[1].Value, [.. line.Trim('|').Split('|').Select(c => c.Trim())]);
            }
        }
    }

    private static string ReadmePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(Path.Combine(dir.FullName, "Cni.sln")) && File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("README.md beside Cni.sln above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\| `([A-Za-z0-9_.\[\]]+)` \|")]
    private static partial Regex RowPattern();
}
