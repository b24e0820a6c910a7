using Tabula.Build.Attestations;
using Tabula.Cli;
using Tabula.Cli.Build;

namespace Tabula.Tests.Cli.Build;

/// <summary><c>--attest</c> as buildx reads it, and BuildKit's reading of the SBOM scan args.</summary>
public class AttestFlagParsingTests
{
    [Fact]
    public void Type_sbom_with_a_generator_keeps_the_other_attributes_as_parameters()
    {
        var sbom = AttestFlagParsing.Sbom(["type=sbom,generator=registry.example/scanner:1,mode=deep"]);
        Assert.NotNull(sbom);
        Assert.Equal("registry.example/scanner:1", sbom.Generator);
        Assert.Equal("deep", Assert.Single(sbom.Parameters).Value);
    }

    [Fact]
    public void Type_sbom_alone_asks_for_tabulas_own_generator_and_disabled_takes_it_back()
    {
        Assert.Null(Assert.IsType<SbomAttestation>(AttestFlagParsing.Sbom(["type=sbom"])).Generator);
        Assert.Null(AttestFlagParsing.Sbom(["type=sbom", "type=sbom,disabled=true"]));
        Assert.Null(AttestFlagParsing.Sbom([]));
    }

    [Theory]
    [InlineData("type=provenance,mode=max", "type=sbom attestations only")]
    [InlineData("generator=x", "give type=sbom")]
    [InlineData("type=sbom,generator=", "needs an image name")]
    [InlineData("type=sbom,disabled=maybe", "not true or false")]
    public void Other_attestations_and_bad_values_are_usage_errors(string text, string message)
        => Assert.Contains(message, Assert.Throws<UsageException>(() => AttestFlagParsing.Sbom([text])).Message);

    [Theory]
    [InlineData("base", "true", true)]
    [InlineData("base", "1", true)]
    [InlineData("base", "false", false)]
    [InlineData("base", "file,base", true)]
    [InlineData("base2", "file,base", false)]
    [InlineData(null, "file", false)]
    public void A_scan_arg_is_a_go_boolean_or_a_list_of_stages(string? stage, string value, bool enabled)
        => Assert.Equal(enabled, SbomAttestation.EnabledForStage(stage, value));
}
