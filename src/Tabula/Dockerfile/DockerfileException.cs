namespace Tabula.Dockerfile;

/// <summary>
/// Any syntax or instruction error in a Dockerfile. The message always starts with the
/// place (<c>FILE:LINE:</c> or <c>FILE:LINE:COLUMN:</c>) so a user can jump to it.
/// </summary>
public sealed class DockerfileException : Exception
{
    public DockerfileException(string fileName, int line, string reason, int? column = null, Exception? inner = null)
        : base(Describe(fileName, line, column, reason), inner)
    {
        FileName = fileName;
        Line = line;
        Column = column;
        Reason = reason;
    }

    public DockerfileException(SourceLocation location, string reason, Exception? inner = null)
        : this(location.FileName, location.StartLine, reason, null, inner)
    {
        EndLine = location.EndLine;
    }

    public string FileName { get; }

    /// <summary>1-based line where the faulty instruction starts.</summary>
    public int Line { get; }

    /// <summary>1-based line where the faulty instruction ends (same as <see cref="Line"/> for one-line faults).</summary>
    public int EndLine { get => endLine ?? Line; private init => endLine = value; }

    public int? Column { get; }

    /// <summary>What is wrong, without the place.</summary>
    public string Reason { get; }

    private readonly int? endLine;

    private static string Describe(string fileName, int line, int? column, string reason) =>
        column is { } c ? $"{fileName}:{line}:{c}: {reason}" : $"{fileName}:{line}: {reason}";
}
