using System.Text.Json.Nodes;
using Cni.StandInApiServer.Storage;

namespace Cni.StandInApiServer.Selectors;

/// <summary>A parsed <c>labelSelector</c> query: comma-joined requirements that must all hold.</summary>
public sealed class LabelSelector
{
    private readonly IReadOnlyList<Requirement> _requirements;

    private LabelSelector(IReadOnlyList<Requirement> requirements) => _requirements = requirements;

    /// <summary>Selects everything.</summary>
    public static LabelSelector Everything { get; } = new([]);

    /// <summary>True when there are no requirements.</summary>
    public bool IsEmpty => _requirements.Count == 0;

    /// <summary>Parses the kubectl/apimachinery syntax: <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k in (a,b)</c>,
    /// <c>k notin (a,b)</c>, <c>k</c>, <c>!k</c>. Throws <see cref="ApiException"/> (400) on bad syntax.</summary>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Everything;
        var requirements = new List<Requirement>();
        foreach (var part in SplitTopLevel(text))
        {
            requirements.Add(ParseRequirement(part.Trim(), text));
        }

        return new(requirements);
    }

    /// <summary>Whether the labels of <paramref name="obj"/> satisfy every requirement.</summary>
    public bool Matches(JsonObject obj)
    {
        if (_requirements.Count == 0) return true;
        var labels = obj["metadata"]?["labels"] as JsonObject;
        foreach (var r in _requirements)
        {
            var present = labels is not null && labels.TryGetPropertyValue(r.Key, out var node) && node is not null;
            var value = present ? labels![r.Key]!.GetValue<string>() : null;
            var ok = r.Op switch
            {
                Operator.Exists => present,
                Operator.DoesNotExist => !present,
                Operator.In => present && r.Values.Contains(value!),
                Operator.NotIn => !present || !r.Values.Contains(value!),
                _ => false,
            };
            if (!ok) return false;
        }

        return true;
    }

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(': depth++; break;
                case ')': depth--; break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..];
    }

    private static Requirement ParseRequirement(string part, string whole)
    {
        ApiException Bad(string why) => ApiException.BadRequest($"unable to parse requirement: {why} in labelSelector \"{whole}\"");
        if (part.Length == 0) throw Bad("found '', expected: identifier");
        if (part[0] == '!')
        {
            var key = part[1..].Trim();
            ValidateKey(key, Bad);
            return new(key, Operator.DoesNotExist, []);
        }

        foreach (var (token, op) in new[] { ("!=", Operator.NotIn), ("==", Operator.In), ("=", Operator.In) })
        {
            var at = part.IndexOf(token, StringComparison.Ordinal);
            if (at <= 0) continue;
            var key = part[..at].Trim();
            var value = part[(at + token.Length)..].Trim();
            ValidateKey(key, Bad);
            ValidateValue(value, Bad);
            return new(key, op, [value]);
        }

        var words = part.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 2)
        {
            var rest = words[1];
            Operator? setOp = rest.StartsWith("notin", StringComparison.Ordinal) ? Operator.NotIn
                : rest.StartsWith("in", StringComparison.Ordinal) ? Operator.In : null;
            if (setOp is null) throw Bad($"found '{rest}', expected: in, notin, =, ==, !=");
            var list = rest[(setOp == Operator.NotIn ? 5 : 2)..].Trim();
            if (!list.StartsWith('(') || !list.EndsWith(')')) throw Bad($"found '{list}', expected: '('");
            var values = list[1..^1].Split(',', StringSplitOptions.TrimEntries).ToList();
            foreach (var v in values) ValidateValue(v, Bad);
            ValidateKey(words[0], Bad);
            return new(words[0], setOp.Value, values);
        }

        ValidateKey(part, Bad);
        return new(part, Operator.Exists, []);
    }

    private static void ValidateKey(string key, Func<string, ApiException> bad)
    {
        if (key.Length == 0 || key.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/')))
        {
            throw bad($"invalid label key \"{key}\"");
        }
    }

    private static void ValidateValue(string value, Func<string, ApiException> bad)
    {
        if (value.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw bad($"invalid label value: \"{value}\"");
        }
    }

    private enum Operator
    {
        In,
        NotIn,
        Exists,
        DoesNotExist,
    }

    private sealed record Requirement(string Key, Operator Op, IReadOnlyList<string> Values);
}
