namespace Tabula.Dockerfile;

/// <summary>Lines an instruction spans in its file, 1-based and inclusive.</summary>
public readonly record struct SourceRange(int StartLine, int EndLine);
