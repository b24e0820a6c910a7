using Tabula.Dockerfile.Expansion;

namespace Tabula.Dockerfile.Instructions;

/// <summary>
/// A typed Dockerfile instruction. Words are kept as written; the build expands them at
/// dispatch time with <see cref="Expand"/>, against the stage's ENV and ARGs at that point.
/// </summary>
internal abstract record Instruction(InstructionSource Source)
{
    public string Keyword => Source.Keyword;

    /// <summary>The instruction as written, e.g. <c>ADD alpine-minirootfs.tgz /</c> or <c>CMD ["/bin/sh"]</c>.</summary>
    public string Text => Source.Text;

    public SourceLocation Location => Source.Location;

    /// <summary>
    /// A copy with every word BuildKit expands replaced by its expansion; instructions
    /// BuildKit does not expand (RUN, CMD, ONBUILD…) return themselves.
    /// </summary>
    /// <exception cref="DockerfileException">A word could not be expanded; the message names this instruction's line.</exception>
    public virtual Instruction Expand(ShellWordExpander expander) => this;

    /// <summary>Runs an expansion and gives its failure this instruction's place.</summary>
    protected T Expanding<T>(Func<T> expand)
    {
        try
        {
            return expand();
        }
        catch (ShellExpansionException e)
        {
            throw new DockerfileException(Location, e.Message, e);
        }
    }

    protected static IReadOnlyList<string> ProcessEach(IEnumerable<string> words, ShellWordExpander expander) =>
        words.Select(expander.ProcessWord).ToArray();

    protected static string? ProcessOptional(string? word, ShellWordExpander expander) =>
        word is null ? null : expander.ProcessWord(word);
}
