using Tabula.Dockerfile.Checks;

namespace Tabula.Tests.Dockerfile;

/// <summary>The <c># check=</c> / <c>BUILDKIT_DOCKERFILE_CHECK</c> value, read as BuildKit's <c>ParseLintOptions</c> reads it.</summary>
public sealed class CheckOptionsTests
{
    [Fact]
    public void SkipListsErrorAndExperimentalAreRead()
    {
        var options = CheckOptions.Parse(" skip = StageNameCasing , FromAsCasing ; error = True ;experimental=all");
        Assert.True(options.Error);
        Assert.False(options.Runs(CheckRules.StageNameCasing));
        Assert.False(options.Runs(CheckRules.FromAsCasing));
        Assert.True(options.Runs(CheckRules.MaintainerDeprecated));
        Assert.True(options.Runs(CheckRules.InvalidDefinitionDescription));
    }

    [Fact]
    public void ExperimentalRulesRunOnlyWhenNamedWhateverSkipSays()
    {
        Assert.False(CheckOptions.Default.Runs(CheckRules.InvalidDefinitionDescription));
        var options = CheckOptions.Parse("skip=all;experimental=InvalidDefinitionDescription");
        Assert.True(options.Runs(CheckRules.InvalidDefinitionDescription));
        Assert.False(options.Runs(CheckRules.StageNameCasing));
    }

    [Theory]
    [InlineData("skip", "invalid check option \"skip\"")]
    [InlineData("fix=all", "invalid check option \"fix\"")]
    [InlineData("error=maybe", "failed to parse check option \"error=maybe\"")]
    public void AnUnreadableValueIsAFormatError(string text, string message)
        => Assert.StartsWith(message, Assert.Throws<FormatException>(() => CheckOptions.Parse(text)).Message, StringComparison.Ordinal);

    [Fact]
    public void ACommentAboveAnInstructionAddsSkipsButNeverUnskipsNorChangesError()
    {
        var global = CheckOptions.Parse("skip=StageNameCasing;error=true");
        var local = global.ForComments(["a remark", "check=skip=MaintainerDeprecated // allowed here", "check=skip=FromAsCasing"]);
        Assert.False(local.Runs(CheckRules.MaintainerDeprecated));
        Assert.False(local.Runs(CheckRules.StageNameCasing));
        Assert.True(local.Runs(CheckRules.FromAsCasing)); // only the first check= comment counts
        Assert.True(local.Error);
        Assert.Same(global, global.ForComments(["check=bogus"]));
    }
}
