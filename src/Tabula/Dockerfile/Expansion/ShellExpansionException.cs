namespace Tabula.Dockerfile.Expansion;

/// <summary>A word could not be expanded (bad substitution, unterminated quote, <c>${X?}</c> on an unset X…).</summary>
public sealed class ShellExpansionException(string message) : Exception(message);
