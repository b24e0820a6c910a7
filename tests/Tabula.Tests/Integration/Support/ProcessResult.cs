namespace Tabula.Tests.Integration.Support;

/// <summary>What a finished process left: its exit code and everything it wrote.</summary>
public sealed record ProcessResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Returns this result, or throws with the command line and its standard error when it failed.</summary>
    public ProcessResult EnsureSuccess() => Succeeded ? this : throw new ProcessFailedException(this);
}

public sealed class ProcessFailedException(ProcessResult result)
    : Exception($"`{result.CommandLine}` exited with {result.ExitCode}:\n{result.StandardError.TrimEnd()}")
{
    public ProcessResult Result { get; } = result;
}
