namespace Tabula.Dockerfile.Checks;

/// <summary>A rule a Dockerfile breaks, and where.</summary>
/// <param name="Detail">The message about this occurrence (BuildKit's text).</param>
public sealed record CheckWarning(CheckRule Rule, string Detail, SourceLocation Location)
{
    public string RuleName => Rule.Name;

    /// <summary>BuildKit's one-line form: <c>StageNameCasing: Stage name 'BadName' should be lowercase (line 3)</c>.</summary>
    public string Short => Location.StartLine > 0 ? $"{Rule.Name}: {Detail} (line {Location.StartLine})" : $"{Rule.Name}: {Detail}";
}
