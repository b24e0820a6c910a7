using System.Text;
using Tabula.Dockerfile.Instructions;
using Tabula.Dockerfile.Syntax;

namespace Tabula.Dockerfile;

/// <summary>
/// The front end's entry point: Dockerfile text in, meta-ARGs and typed stages out. Nothing
/// is expanded here; the build expands each instruction when it dispatches it.
/// </summary>
internal static class DockerfileParser
{
    /// <exception cref="DockerfileException">Any syntax or instruction error, with the file name and line.</exception>
    public static DockerfileDocument Parse(string text, string fileName = "Dockerfile") =>
        FromSyntax(SyntaxParser.Parse(text, fileName));

    /// <summary>Reads UTF-8 bytes (a leading byte-order mark is ignored).</summary>
    public static DockerfileDocument Parse(ReadOnlySpan<byte> utf8, string fileName = "Dockerfile") =>
        Parse(Encoding.UTF8.GetString(utf8), fileName);

    public static DockerfileDocument FromSyntax(SyntaxTree tree)
    {
        var metaArgs = new List<ArgInstruction>();
        var stages = new List<(FromInstruction From, List<Instruction> Instructions)>();
        foreach (var node in tree.Nodes)
        {
            var instruction = InstructionParser.Parse(node, tree.FileName);
            switch (instruction)
            {
                case FromInstruction from:
                    stages.Add((from, []));
                    break;
                case ArgInstruction arg when stages.Count == 0:
                    metaArgs.Add(arg);
                    break;
                case var _ when stages.Count == 0:
                    throw new DockerfileException(instruction.Location,
                        $"no build stage in current context ({instruction.Keyword} before the first FROM)");
                default:
                    stages[^1].Instructions.Add(instruction);
                    break;
            }
        }
        return new DockerfileDocument(
            tree,
            metaArgs,
            stages.Select((stage, index) => new Stage(index, stage.From, stage.Instructions)).ToArray());
    }
}
