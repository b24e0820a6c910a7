using System.Text.RegularExpressions;

namespace Tabula.Dockerfile.Syntax;

/// <summary>
/// One here-document attached to a RUN, COPY or ADD line.
/// <see cref="Content"/> is the raw body with its line endings; for <c>&lt;&lt;-</c> the
/// leading tabs are still there (see <see cref="ChompedContent"/>).
/// </summary>
/// <param name="Name">The terminator word with quotes removed (<c>&lt;&lt;"EOF"</c> → <c>EOF</c>).</param>
/// <param name="FileDescriptor">The number before <c>&lt;&lt;</c> (<c>3&lt;&lt;EOF</c>), 0 when absent.</param>
/// <param name="Expand">False when any part of the name was quoted: then variables in the body stay as written.</param>
/// <param name="Chomp">True for <c>&lt;&lt;-</c>: leading tabs are stripped from the body and the terminator.</param>
internal sealed partial record Heredoc(string Name, int FileDescriptor, bool Expand, bool Chomp, string Content)
{
    /// <summary>The body as the instruction uses it: leading tabs removed for <c>&lt;&lt;-</c>.</summary>
    public string ChompedContent => Chomp ? StripLeadingTabs(Content) : Content;

    public static string StripLeadingTabs(string content) => LeadingTabs().Replace(content, "");

    [GeneratedRegex(@"^\t+", RegexOptions.Multiline)]
    private static partial Regex LeadingTabs();
}
