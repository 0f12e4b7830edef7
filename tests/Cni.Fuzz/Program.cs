using System.CommandLine;
using Cni.Fuzz;

return FuzzCommandLine.Build().Parse(args).Invoke();
