namespace Tabula.Dockerfile.Syntax;

/// <summary>The <c># key=value</c> directives found at the top of the file.</summary>
/// <param name="Syntax">The <c>syntax</c> directive (frontend image), if any.</param>
/// <param name="Escape">The <c>escape</c> directive, if any.</param>
/// <param name="Check">The <c>check</c> directive (lint configuration), if any.</param>
internal sealed record ParserDirectives(string? Syntax, string? Escape, string? Check)
{
    public static readonly ParserDirectives None = new(null, null, null);
}
