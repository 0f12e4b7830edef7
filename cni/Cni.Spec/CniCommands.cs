namespace Cni.Spec;

/// <summary>Maps CNI_COMMAND values to <see cref="CniCommand"/> and back.</summary>
public static class CniCommands
{
    /// <summary>
    /// Parses CNI_COMMAND exactly (upper-case, case-sensitive: "add" is unknown, as in the reference skel).
    /// Throws code 4 for a missing or unknown value.
    /// </summary>
    public static CniCommand Parse(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new CniException(CniErrorCode.InvalidEnvironmentVariables, "required env variables [CNI_COMMAND] missing");
        }

        if (TryParse(value, out var command))
        {
            return command;
        }

        throw new CniException(CniErrorCode.InvalidEnvironmentVariables, "unknown CNI_COMMAND: " + value);
    }

    /// <summary>Exact, case-sensitive parse without throwing.</summary>
    public static bool TryParse(string? value, out CniCommand command)
    {
        switch (value)
        {
            case "ADD": command = CniCommand.Add; return true;
            case "DEL": command = CniCommand.Del; return true;
            case "CHECK": command = CniCommand.Check; return true;
            case "VERSION": command = CniCommand.Version; return true;
            case "STATUS": command = CniCommand.Status; return true;
            case "GC": command = CniCommand.Gc; return true;
            default: command = default; return false;
        }
    }

    /// <summary>The CNI_COMMAND spelling of a command.</summary>
    public static string ToWireName(this CniCommand command) => command switch
    {
        CniCommand.Add => "ADD",
        CniCommand.Del => "DEL",
        CniCommand.Check => "CHECK",
        CniCommand.Version => "VERSION",
        CniCommand.Status => "STATUS",
        CniCommand.Gc => "GC",
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, "not a CNI command"),
    };
}
