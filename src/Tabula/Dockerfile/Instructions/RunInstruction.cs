using Tabula.Dockerfile.Syntax;

namespace Tabula.Dockerfile.Instructions;

/// <summary><c>RUN [--mount… --network --security --device…] command</c>.</summary>
/// <param name="Command">Exec form list, or the shell-form string.</param>
/// <param name="Heredocs">Here-documents after the line (<c>RUN &lt;&lt;EOF</c>); their bodies are the script or extra files.</param>
/// <param name="Mounts">Each --mount value as written (CSV such as <c>type=cache,target=/var/cache/build</c>).</param>
/// <param name="Network"><c>default</c>, <c>none</c> or <c>host</c>.</param>
/// <param name="Security"><c>sandbox</c> or <c>insecure</c>.</param>
/// <param name="Devices">Each --device value as written.</param>
/// <param name="FlagsUsed">Names of the flags written, in order.</param>
internal sealed record RunInstruction(
    InstructionSource Source,
    CommandLine Command,
    IReadOnlyList<Heredoc> Heredocs,
    IReadOnlyList<string> Mounts,
    string Network,
    string Security,
    IReadOnlyList<string> Devices,
    IReadOnlyList<string> FlagsUsed)
    : Instruction(Source);
