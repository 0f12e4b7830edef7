namespace Cni.Fuzz.Targets;

/// <summary>
/// One parser under fuzzing: <see cref="Run"/> feeds it one input and returns when the parser kept its contract
/// (a value, or the error it documents for bad input); anything it throws is a finding.
/// </summary>
internal interface IFuzzTarget
{
    /// <summary>The name on the command line and of the corpus folder.</summary>
    string Name { get; }

    /// <summary>What the target exercises and what counts as a finding.</summary>
    string Description { get; }

    /// <summary>Runs one input.</summary>
    /// <exception cref="FuzzFindingException">The parser broke its contract.</exception>
    void Run(ReadOnlySpan<byte> input);
}
