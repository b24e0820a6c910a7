namespace Tabula.Dockerfile.Instructions;

/// <summary>
/// Where an instruction came from: its keyword (upper case), its text as written (the
/// logical line, trimmed, continuations joined, heredoc bodies left out) and its lines.
/// </summary>
internal sealed record InstructionSource(string Keyword, string Text, SourceLocation Location);
