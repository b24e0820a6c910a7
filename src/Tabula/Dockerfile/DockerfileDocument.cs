using Tabula.Dockerfile.Instructions;
using Tabula.Dockerfile.Syntax;

namespace Tabula.Dockerfile;

/// <summary>A parsed Dockerfile: the meta-ARGs before the first FROM, and the stages.</summary>
internal sealed record DockerfileDocument(SyntaxTree Syntax, IReadOnlyList<ArgInstruction> MetaArgs, IReadOnlyList<Stage> Stages)
{
    public string FileName => Syntax.FileName;

    /// <summary>The escape token in force (<c>\</c>, or <c>`</c> after <c># escape=`</c>); expansion must use it.</summary>
    public char EscapeToken => Syntax.EscapeToken;

    public ParserDirectives Directives => Syntax.Directives;

    /// <summary>The stage with this name (names are case-insensitive), or null.</summary>
    public Stage? FindStage(string name) =>
        Stages.FirstOrDefault(stage => string.Equals(stage.Name, name, StringComparison.OrdinalIgnoreCase));
}
