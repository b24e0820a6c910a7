using System.Text.Json;
using Tabula.Dockerfile;
using Tabula.Dockerfile.Instructions;

namespace Tabula.Tests.Dockerfile;

/// <summary>Real single-stage <c>FROM scratch</c> Dockerfiles of official images.</summary>
public sealed class OfficialScratchTests
{
    public static TheoryData<string> Images => ConformanceData.CaseNames("official-scratch");

    [Theory]
    [MemberData(nameof(Images))]
    public void Parses_into_one_scratch_stage_with_a_copy_and_an_exec_cmd(string image)
    {
        var path = ConformanceData.Require(Path.Combine("official-scratch", image, "Dockerfile"));

        var text = File.ReadAllText(path);
        var document = DockerfileParser.Parse(text);

        var stage = Assert.Single(document.Stages);
        Assert.Equal("scratch", stage.BaseName);
        Assert.Empty(document.MetaArgs);
        var transfer = Assert.Single(stage.Instructions.OfType<Instruction>(), i => i is AddInstruction or CopyInstruction);
        Assert.Equal("/", transfer switch
        {
            AddInstruction add => add.Transfer.Destination,
            CopyInstruction copy => copy.Transfer.Destination,
            _ => "",
        });
        var cmd = Assert.IsType<CmdInstruction>(stage.Instructions[^1]);
        Assert.False(cmd.Command.PrependShell);
        // The expectation comes from the file, not from the parser: the last line as written, and
        // BuildKit's history form of it (Go's %q of the argument list: quoted, space-separated).
        var lastLine = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim();
        Assert.Equal(lastLine, cmd.Text);
        var arguments = JsonSerializer.Deserialize<string[]>(lastLine["CMD".Length..])!;
        Assert.Equal("CMD [" + string.Join(" ", arguments.Select(a => $"\"{a}\"")) + "]", cmd.HistoryText(["/bin/sh", "-c"]));
    }
}
