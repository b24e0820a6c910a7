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

        var document = DockerfileParser.Parse(File.ReadAllText(path));

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
        Assert.StartsWith("CMD [\"", cmd.Text);
        Assert.Equal(cmd.Text.Replace(", ", " "), cmd.HistoryText(["/bin/sh", "-c"]));
    }
}
