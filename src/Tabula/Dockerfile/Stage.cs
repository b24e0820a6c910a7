using Tabula.Dockerfile.Instructions;

namespace Tabula.Dockerfile;

/// <summary>A build stage: its FROM and the instructions up to the next FROM.</summary>
/// <param name="Index">Position among the stages, 0-based (<c>COPY --from=0</c> refers to it).</param>
internal sealed record Stage(int Index, FromInstruction From, IReadOnlyList<Instruction> Instructions)
{
    /// <summary>The <c>AS</c> name, lower case, or null.</summary>
    public string? Name => From.StageName;

    /// <summary>The base image or stage as written (not yet expanded with meta-ARGs).</summary>
    public string BaseName => From.BaseName;

    /// <summary>The <c>--platform</c> value as written, or null.</summary>
    public string? Platform => From.Platform;

    public SourceLocation Location => From.Location;
}
