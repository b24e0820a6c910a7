using Tabula.Tests.Integration;

namespace Tabula.Tests.BuildKit;

/// <summary>BuildKit's frontend/dockerfile/dockerfile_runsecurity_test.go: RUN's bounding capabilities are docker's default set.</summary>
public sealed class RunSecurityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string DefaultCapabilities = "RUN [ \"$(cat /proc/self/status | grep CapBnd)\" = \"$(printf 'CapBnd:\\t00000000a80425fb')\" ]";

    [Fact]
    public async Task TestRunSecuritySandbox()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("sandbox", $"FROM {RunFixture.BaseImage}\n{DefaultCapabilities.Replace("RUN ", "RUN --security=sandbox ", StringComparison.Ordinal)}\n");
        await fixture.BuildAsync(context, "sandbox:1", Ct);
    }

    [Fact]
    public async Task TestRunSecurityDefault()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("default", $"FROM {RunFixture.BaseImage}\n{DefaultCapabilities}\n");
        await fixture.BuildAsync(context, "default:1", Ct);
    }
}
