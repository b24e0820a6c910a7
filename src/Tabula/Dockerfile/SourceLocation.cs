namespace Tabula.Dockerfile;

/// <summary>Where an instruction is: its file and the lines it spans (1-based, inclusive).</summary>
public sealed record SourceLocation(string FileName, int StartLine, int EndLine)
{
    public SourceLocation(string fileName, SourceRange range) : this(fileName, range.StartLine, range.EndLine) { }

    public override string ToString() =>
        StartLine == EndLine ? $"{FileName}:{StartLine}" : $"{FileName}:{StartLine}-{EndLine}";
}
