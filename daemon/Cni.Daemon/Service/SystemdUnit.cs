using System.Text;

namespace Cni.Daemon.Service;

/// <summary>
/// wincnid's systemd unit (deploy/systemd/wincnid.service is this rendering for /usr/local/bin/wincnid). Type=notify:
/// the host's systemd lifetime reports ready once wincnid has started; the state directory is kept 0700 as wincnid
/// requires; it starts before kubelet so pods never wait for a missing socket longer than wincni's own retries.
/// </summary>
public static class SystemdUnit
{
    /// <summary>The unit file for <paramref name="service"/>.</summary>
    public static string Render(ServiceDefinition service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var command = new StringBuilder(Quote(service.Executable));
        foreach (var argument in service.Arguments) command.Append(' ').Append(Quote(argument));
        return $"""
            [Unit]
            Description={ServiceDefinition.Description}
            Wants=network-online.target
            After=network-online.target containerd.service
            Before=kubelet.service

            [Service]
            Type=notify
            ExecStart={command}
            Restart=always
            RestartSec=5
            LimitNOFILE=1048576
            StateDirectory=wincni
            StateDirectoryMode=0700
            RuntimeDirectory=wincni
            RuntimeDirectoryPreserve=yes

            [Install]
            WantedBy=multi-user.target

            """;
    }

    // systemd splits ExecStart like a shell: quote only what needs it.
    private static string Quote(string value) =>
        value.Length > 0 && !value.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or '$' or '%' or ';')
            ? value
            : "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("%", "%%", StringComparison.Ordinal).Replace("$", "$$", StringComparison.Ordinal) + "\"";
}
