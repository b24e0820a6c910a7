namespace Tabula.Dockerfile.Instructions;

/// <summary>A heredoc used as an ADD/COPY source: a file named <paramref name="Path"/> holding <paramref name="Content"/> (tabs already chomped for <c>&lt;&lt;-</c>).</summary>
internal sealed record InlineSource(string Path, string Content, bool Expand);
