using Cni.Daemon.CommandLine;

return await DaemonCommandLine.Build().Parse(args).InvokeAsync().ConfigureAwait(false);
