using System.Globalization;
using Cni.Node.Configuration;

namespace Cni.Node.Networks;

/// <summary>
/// Turns the config's adapter selectors (<c>adapters</c>, or <c>adapterName</c>) into the adapter names the network's
/// NetAdapterName policies carry: a name as given (HNS checks it), a MAC or subnet to the first adapter listed with
/// that MAC or an address in that subnet.
/// </summary>
public static class AdapterSelection
{
    /// <summary>Resolves the selectors in order; empty when the config names no adapter.</summary>
    /// <exception cref="ArgumentException">A selector matches no adapter, or two select the same one; the message names <c>adapters[i]</c>.</exception>
    public static IReadOnlyList<string> Resolve(NodeOptions options, IHostAdapters adapters)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(adapters);
        if (options.Adapters.Count == 0)
        {
            return string.IsNullOrEmpty(options.AdapterName) ? [] : [options.AdapterName];
        }

        IReadOnlyList<HostAdapter>? listed = null;
        var names = new List<string>();
        for (var i = 0; i < options.Adapters.Count; i++)
        {
            var selector = options.Adapters[i];
            var field = string.Create(CultureInfo.InvariantCulture, $"adapters[{i}]");
            string name;
            if (selector.Name is { } given)
            {
                name = given;
            }
            else
            {
                listed ??= adapters.List();
                var match = listed.FirstOrDefault(a => selector.MacAddress is { } mac
                    ? mac.Equals(a.MacAddress)
                    : a.Addresses.Any(address => selector.Subnet is { } subnet && subnet.Contains(address)));
                name = match?.Name ?? throw new ArgumentException(
                    $"{field}: no host adapter has {Describe(selector)} (adapters: {List(listed)})", field);
            }

            if (names.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"{field}: {selector} selects adapter '{name}' again; a team needs distinct adapters", field);
            }

            names.Add(name);
        }

        return names;
    }

    private static string Describe(AdapterSelector selector) =>
        selector.MacAddress is not null ? $"MAC {selector.ToString()[4..]}" : $"an address in {selector.Subnet}";

    private static string List(IReadOnlyList<HostAdapter> adapters) =>
        adapters.Count == 0 ? "none" : string.Join(", ", adapters.Select(a =>
            $"{a.Name} [{(a.MacAddress is { } m ? string.Join('-', m.GetAddressBytes().Select(b => b.ToString("X2", CultureInfo.InvariantCulture))) : "no MAC")}; {string.Join(", ", a.Addresses)}]"));
}
