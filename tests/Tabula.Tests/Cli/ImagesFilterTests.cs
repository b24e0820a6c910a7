using Tabula.Cli;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Cli;

/// <summary><c>images --filter</c> as docker's: reference globs, dangling, label, before/since; one key's values are alternatives.</summary>
public class ImagesFilterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(int Code, string Out, string Err)> RunAsync(TempDir store, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CliApp.RunAsync(["--root", store.Path, .. args], output, error, _ => null, Ct);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Three images made at times 1000, 2000 and 3000, and an unnamed one (the first app:1, retagged away).</summary>
    private static async Task<TempDir> StoreAsync()
    {
        var store = new TempDir();
        using var context = new TempDir();
        async Task BuildAsync(string label, long time, params string[] tags)
        {
            await File.WriteAllTextAsync(context.Combine("Dockerfile"), $"FROM scratch\nLABEL {label}\nCOPY f /f-{time}\n", Ct);
            await File.WriteAllTextAsync(context.Combine("f"), time.ToString(System.Globalization.CultureInfo.InvariantCulture), Ct);
            var args = new List<string> { "build", "-q", "--timestamp", time.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            foreach (var tag in tags) args.AddRange(["-t", tag]);
            args.Add(context.Path);
            Assert.Equal(CliApp.Ok, (await RunAsync(store, [.. args])).Code);
        }
        await BuildAsync("team=core", 500, "app:1");
        await BuildAsync("team=core", 1000, "app:1"); // the first app:1 is now <none>
        await BuildAsync("team=web tier=front", 2000, "web:2", "registry.example/web:latest");
        await BuildAsync("other=1", 3000, "tools:3");
        return store;
    }

    private static async Task<string[]> NamesAsync(TempDir store, params string[] filters)
    {
        var args = new List<string> { "images", "--format", "{{.Repository}}:{{.Tag}}" };
        foreach (var filter in filters) args.AddRange(["--filter", filter]);
        var (code, output, error) = await RunAsync(store, [.. args]);
        Assert.True(code == CliApp.Ok, error);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public async Task EachFilterKeepsWhatDockersKeeps()
    {
        using var store = await StoreAsync();
        Assert.Equal(["tools:3", "registry.example/web:latest", "web:2", "app:1", "<none>:<none>"], await NamesAsync(store));
        Assert.Equal(["web:2"], await NamesAsync(store, "reference=*web*")); // * stops at '/', as Go's path.Match
        Assert.Equal(["registry.example/web:latest"], await NamesAsync(store, "reference=*/web"));
        Assert.Equal(["web:2"], await NamesAsync(store, "reference=web"));
        Assert.Equal(["tools:3", "app:1"], await NamesAsync(store, "reference=app:*", "reference=tools")); // alternatives
        Assert.Equal(["<none>:<none>"], await NamesAsync(store, "dangling=true"));
        Assert.Equal(4, (await NamesAsync(store, "dangling=false")).Length);
        Assert.Equal(["app:1", "<none>:<none>"], await NamesAsync(store, "label=team=core"));
        Assert.Equal(["registry.example/web:latest", "web:2", "app:1", "<none>:<none>"], await NamesAsync(store, "label=team"));
        Assert.Equal(["app:1"], await NamesAsync(store, "label=team=core", "dangling=false")); // keys combine
        Assert.Equal(["app:1", "<none>:<none>"], await NamesAsync(store, "before=web:2"));
        Assert.Equal(["tools:3"], await NamesAsync(store, "since=web:2"));
        Assert.Equal(["registry.example/web:latest", "web:2"], await NamesAsync(store, "since=app:1", "before=tools:3"));
    }

    [Theory]
    [InlineData("color=red", "invalid filter 'color'")]
    [InlineData("dangling=maybe", "invalid filter 'dangling=maybe'")]
    [InlineData("reference", "bad format of filter 'reference'")]
    [InlineData("since=nothing:here", "image 'nothing:here' not found")]
    public async Task ABadFilterIsOneLine(string filter, string expected)
    {
        using var store = await StoreAsync();
        var (code, _, error) = await RunAsync(store, "images", "--filter", filter);
        Assert.Equal(CliApp.Failure, code);
        Assert.Contains(expected, Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task PruneTakesDockersForceFlagAndAsksNothingWhenNotAtATerminal()
    {
        using var store = await StoreAsync();
        var (code, output, _) = await RunAsync(store, "prune", "-f");
        Assert.Equal(CliApp.Ok, code);
        Assert.DoesNotContain("Are you sure", output);
        Assert.Empty(await NamesAsync(store, "dangling=true"));
        Assert.Equal(4, (await NamesAsync(store)).Length);
    }
}
