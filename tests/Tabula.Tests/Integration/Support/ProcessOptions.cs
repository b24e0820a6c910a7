namespace Tabula.Tests.Integration.Support;

/// <summary>How to start a process: everything but its name and arguments.</summary>
public sealed record ProcessOptions
{
    /// <summary>Bytes written to the process's standard input, which is then closed; none when null.</summary>
    public byte[]? StandardInput { get; init; }

    /// <summary>Variables to set (a null value removes the variable) on top of this process's environment.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    public string? WorkingDirectory { get; init; }

    /// <summary>After this the process tree is killed and <see cref="TimeoutException"/> thrown.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);
}
