using System.Text;
using Tabula.Dockerfile.Expansion;

namespace Tabula.Dockerfile.Instructions;

/// <summary>What ADD and COPY share: sources (paths and heredocs), a destination and the ownership/link/exclude flags.</summary>
/// <param name="Sources">Source paths (or URLs for ADD) as written.</param>
/// <param name="InlineSources">Heredoc sources (<c>COPY &lt;&lt;EOF /dest</c>).</param>
/// <param name="Destination">The last argument.</param>
/// <param name="Chown">--chown, null when absent.</param>
/// <param name="Chmod">--chmod, null when absent.</param>
/// <param name="Link">--link.</param>
/// <param name="Excludes">--exclude patterns, in order (the flag may repeat).</param>
internal sealed record FileTransfer(
    IReadOnlyList<string> Sources,
    IReadOnlyList<InlineSource> InlineSources,
    string Destination,
    string? Chown,
    string? Chmod,
    bool Link,
    IReadOnlyList<string> Excludes)
{
    /// <summary>Expands --chown, --chmod, sources, destination and unquoted heredoc bodies (not the excludes, as BuildKit).</summary>
    public FileTransfer Expand(ShellWordExpander expander) => this with
    {
        Chown = Chown is null ? null : expander.ProcessWord(Chown),
        Chmod = Chmod is null ? null : expander.ProcessWord(Chmod),
        Sources = Sources.Select(expander.ProcessWord).ToArray(),
        Destination = expander.ProcessWord(Destination),
        InlineSources = InlineSources
            .Select(inline => inline.Expand ? inline with { Content = expander.ProcessHeredocBody(inline.Content) } : inline)
            .ToArray(),
    };

    /// <summary>BuildKit's history text: keyword, <c>--parents</c>/<c>--chown</c>/<c>--chmod</c>, sources, <c>&lt;&lt;name</c> per heredoc, destination.</summary>
    public string HistoryText(string keyword, bool parents)
    {
        var text = new StringBuilder(keyword);
        if (parents)
            text.Append(" --parents");
        if (Chown is not null)
            text.Append(" --chown=").Append(Chown);
        if (Chmod is not null)
            text.Append(" --chmod=").Append(Chmod);
        foreach (var source in Sources)
            text.Append(' ').Append(source);
        foreach (var inline in InlineSources)
            text.Append(" <<").Append(inline.Path);
        return text.Append(' ').Append(Destination).ToString();
    }
}
