using Tabula.Images;
using Tabula.Tests.Integration;
using Tabula.Transports;

namespace Tabula.Tests.BuildKit;

/// <summary>
/// Ported tests that RUN commands: the offline busybox image of <see cref="RunFixture"/> stands in for the busybox
/// and alpine images BuildKit's tests pull, and builds go through the command line as a user's would.
/// </summary>
internal static class BusyboxBuild
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The Dockerfile with <c>busybox</c>/<c>alpine</c> in FROM replaced by the fixture image.</summary>
    public static string WithBase(string dockerfile)
        => System.Text.RegularExpressions.Regex.Replace(dockerfile, @"^(\s*FROM) (busybox|alpine)(?=\s|$)", "$1 " + RunFixture.BaseImage,
            System.Text.RegularExpressions.RegexOptions.Multiline);

    /// <summary>Builds the context as <paramref name="tag"/>; returns the exit code and everything printed.</summary>
    public static async Task<(int Code, string Output)> BuildAsync(RunFixture fixture, string tag, string dockerfile, params string[] flags)
    {
        var context = fixture.Context("ctx-" + Guid.NewGuid().ToString("N"), WithBase(dockerfile));
        var (code, output, error) = await fixture.TabulaAsync(Ct, ["build", "-t", tag, .. flags, context]);
        return (code, output + error);
    }

    /// <summary>Builds the context as <paramref name="tag"/>, which must succeed, and loads the image.</summary>
    public static async Task<IImage> BuildImageAsync(RunFixture fixture, string tag, string dockerfile, params string[] flags)
    {
        var (code, output) = await BuildAsync(fixture, tag, dockerfile, flags);
        Assert.True(code == 0, output);
        return await LoadAsync(fixture, tag);
    }

    /// <summary>Builds the context, which must fail; returns what the build printed.</summary>
    public static async Task<string> BuildFailsAsync(RunFixture fixture, string dockerfile)
    {
        var (code, output) = await BuildAsync(fixture, "failing:" + Guid.NewGuid().ToString("N"), dockerfile);
        Assert.NotEqual(0, code);
        return output;
    }

    /// <summary>The text of a file of the image's merged layers.</summary>
    public static async Task<string?> FileTextAsync(IImage image, string path)
        => Tabula.Tests.Build.LayerContents.Single(await Tabula.Tests.Build.LayerContents.ReadAllAsync(image), path).Text;

    public static async Task<IImage> LoadAsync(RunFixture fixture, string tag)
    {
        var store = ImageStore.Open(fixture.Store);
        var stored = await store.Resolver.ResolveAsync(tag, Ct);
        return await store.LoadAsync(stored, null, Ct);
    }
}
