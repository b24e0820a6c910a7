namespace Tabula.Dockerfile.Expansion;

/// <summary>
/// What expanding one word gave: the word as one string, the same split into fields, and the
/// variable names that were looked up and found or not found (BuildKit reports the latter).
/// </summary>
internal sealed record WordExpansion(
    string Result,
    IReadOnlyList<string> Words,
    IReadOnlySet<string> Matched,
    IReadOnlySet<string> Unmatched);
