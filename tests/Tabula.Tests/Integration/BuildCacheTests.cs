using System.Text.RegularExpressions;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// The build cache through runc: COPY and RUN rebuilt from the cache give the cold build's image, a changed file
/// rebuilds its step and every later one, a RUN with a bind mount is keyed on what it binds; RUN secrets as
/// files with a mode and owner or as variables; cache mounts shared under a lock, proven by RUNs that wait for each other.
/// </summary>
public sealed partial class BuildCacheTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [GeneratedRegex(" ---> Using cache")]
    private static partial Regex CacheHit();

    private static async Task<(int Hits, string Out)> BuildAsync(RunFixture fixture, string tag, string context, params string[] flags)
    {
        var (code, output, error) = await fixture.TabulaAsync(Ct, ["build", "--timestamp", "1700000000", .. flags, "-t", tag, context]);
        Assert.True(code == 0, error + output);
        return (CacheHit().Count(output), output);
    }

    private static async Task<string> IdAsync(RunFixture fixture, string tag) => (await fixture.TabulaAsync(Ct, "images", "-q", "--no-trunc", tag)).Out.Trim();

    private static Task<string> CatAsync(RunFixture fixture, string tag, string path) => fixture.CatAsync(tag, path, Ct);

    [Fact]
    public async Task Copy_and_run_are_served_from_the_cache_until_a_copied_file_changes()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", $"""
            FROM {RunFixture.BaseImage}
            COPY a /a
            RUN cat /a > /b
            COPY c /c
            RUN echo ran-last > /last
            """, ("a", "one\n"), ("c", "c\n"), ("unrelated", "x\n"));

        Assert.Equal(0, (await BuildAsync(fixture, "cache:1", context)).Hits);
        Assert.Equal(4, (await BuildAsync(fixture, "cache:2", context)).Hits);
        Assert.Equal(0, (await BuildAsync(fixture, "cache:3", context, "--no-cache")).Hits);
        var id = await IdAsync(fixture, "cache:1");
        Assert.Equal(id, await IdAsync(fixture, "cache:2"));
        Assert.Equal(id, await IdAsync(fixture, "cache:3"));

        File.WriteAllText(Path.Combine(context, "unrelated"), "y\n");
        File.WriteAllText(Path.Combine(context, "c"), "c2\n");
        Assert.Equal(2, (await BuildAsync(fixture, "cache:4", context)).Hits);
        File.WriteAllText(Path.Combine(context, "a"), "two\n");
        var (hits, output) = await BuildAsync(fixture, "cache:5", context);
        Assert.Equal(0, hits);
        Assert.Equal("two\n", await CatAsync(fixture, "cache:5", "/b"));
        Assert.Equal(4, (await BuildAsync(fixture, "cache:6", context)).Hits);
        Assert.Equal(await IdAsync(fixture, "cache:5"), await IdAsync(fixture, "cache:6"));
        Assert.DoesNotContain("Using cache", output);
    }

    [Fact]
    public async Task A_run_with_a_bind_mount_is_cached_on_the_bound_content()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", $"""
            FROM {RunFixture.BaseImage} AS made
            RUN echo stage-one > /made
            FROM {RunFixture.BaseImage}
            RUN --mount=type=bind,source=dir,target=/d cat /d/f > /out
            RUN --mount=type=bind,from=made,source=/made,target=/m cat /m > /got
            """, ("dir/f", "one\n"), ("other", "x\n"));

        Assert.Equal(0, (await BuildAsync(fixture, "bind:1", context)).Hits);
        File.WriteAllText(Path.Combine(context, "other"), "y\n");
        Assert.Equal(3, (await BuildAsync(fixture, "bind:2", context)).Hits);

        File.WriteAllText(Path.Combine(context, "dir", "f"), "two\n");
        var bind3 = await BuildAsync(fixture, "bind:3", context);
        Assert.True(bind3.Hits == 1, bind3.Out);
        Assert.Equal("two\n", await CatAsync(fixture, "bind:3", "/out"));
        File.WriteAllText(Path.Combine(context, "dir", "new"), "n\n");
        // A new file under the bound directory runs the step again; its layer is the same as before, so the next
        // step (same parent) is served from the cache.
        var bind4 = await BuildAsync(fixture, "bind:4", context);
        Assert.True(bind4.Hits == 2, bind4.Out);
        var lines = bind4.Out.Split('\n');
        int ran = Array.FindIndex(lines, l => l.Contains("cat /d/f > /out", StringComparison.Ordinal));
        Assert.Contains("---> layer", lines[ran + 1]);

        File.WriteAllText(Path.Combine(context, "Dockerfile"), File.ReadAllText(Path.Combine(context, "Dockerfile")).Replace("stage-one", "stage-two"));
        var bind5 = await BuildAsync(fixture, "bind:5", context);
        Assert.True(bind5.Hits == 1, bind5.Out);
        Assert.Equal("stage-two\n", await CatAsync(fixture, "bind:5", "/got"));
    }

    [Fact]
    public async Task A_secret_is_a_file_with_its_mode_and_owner_or_a_variable_and_never_in_the_image()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        const string secret = "s3cret-value-42";
        var secretFile = fixture.Temp.Combine("token");
        File.WriteAllText(secretFile, secret);
        var context = fixture.Context("ctx", $"""
            FROM {RunFixture.BaseImage}
            RUN --mount=type=secret,id=tok,target=/run/s/tok,mode=0440,uid=1000,gid=1001,env=TOKEN stat -c '%a %u %g' /run/s/tok > /meta && test "$TOKEN" = "$(cat /run/s/tok)" && echo yes > /env
            RUN --mount=type=secret,id=tok,env=ONLY sh -c 'test ! -e /run/secrets/tok && test -n "$ONLY" && echo only > /only'
            RUN --mount=type=secret,id=tok stat -c '%a %u' /run/secrets/tok > /default
            RUN --mount=type=secret,id=absent,env=GONE sh -c 'env | grep -x GONE= > /gone; test ! -e /run/secrets/absent'
            """);
        var (code, output, error) = await fixture.TabulaAsync(Ct, "build", "--secret", "id=tok,src=" + secretFile, "-t", "secret:1", context);
        Assert.True(code == 0, error + output);
        Assert.DoesNotContain(secret, output + error);
        Assert.Equal("440 1000 1001\n", await CatAsync(fixture, "secret:1", "/meta"));
        Assert.Equal("yes\n", await CatAsync(fixture, "secret:1", "/env"));
        Assert.Equal("only\n", await CatAsync(fixture, "secret:1", "/only"));
        Assert.Equal("400 0\n", await CatAsync(fixture, "secret:1", "/default"));
        Assert.Equal("GONE=\n", await CatAsync(fixture, "secret:1", "/gone")); // a missing optional secret: set empty, as BuildKit

        var archive = fixture.Temp.Combine("secret.tar");
        Assert.Equal(0, (await fixture.TabulaAsync(Ct, "save", "-o", archive, "secret:1")).Code);
        Assert.DoesNotContain(secret, await ReadAllLayersAsTextAsync(archive));
        var (_, history, _) = await fixture.TabulaAsync(Ct, "history", "--no-trunc", "secret:1");
        Assert.DoesNotContain(secret, history);

        var missing = fixture.Context("missing", $"FROM {RunFixture.BaseImage}\nRUN --mount=type=secret,id=absent,required=true true\n");
        var failed = await fixture.TabulaAsync(Ct, "build", "-t", "secret:2", missing);
        Assert.Equal(1, failed.Code);
        Assert.Contains("secret absent: not found", failed.Err);
    }

    /// <summary>
    /// A secret is in no cache key, as in BuildKit: another value (or another file) of the same id hits the step, whose
    /// layer keeps what the first value made; whether the secret was given at all is not in the key either.
    /// </summary>
    [Fact]
    public async Task A_secrets_value_is_not_in_the_cache_key()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var first = fixture.Temp.Combine("first");
        var second = fixture.Temp.Combine("second");
        File.WriteAllText(first, "one");
        File.WriteAllText(second, "two");
        var context = fixture.Context("ctx", $"FROM {RunFixture.BaseImage}\nRUN --mount=type=secret,id=tok cat /run/secrets/tok > /seen || echo none > /seen\n");

        Assert.Equal(0, (await BuildAsync(fixture, "sec:1", context, "--secret", "id=tok,src=" + first)).Hits);
        Assert.Equal(1, (await BuildAsync(fixture, "sec:2", context, "--secret", "id=tok,src=" + second)).Hits);
        Assert.Equal(1, (await BuildAsync(fixture, "sec:3", context)).Hits);
        Assert.Equal("one", await CatAsync(fixture, "sec:3", "/seen"));
        Assert.Equal(0, (await BuildAsync(fixture, "sec:4", context, "--no-cache", "--secret", "id=tok,src=" + second)).Hits);
        Assert.Equal("two", await CatAsync(fixture, "sec:4", "/seen"));
    }

    /// <summary>Every file of a docker-archive, layers decompressed, as one text: to show a value is nowhere in it.</summary>
    private static async Task<string> ReadAllLayersAsTextAsync(string archive)
    {
        var text = new System.Text.StringBuilder();
        foreach (var layer in await DockerSaveArchive.ReadLayerListingsAsync(archive, Ct))
            foreach (var row in layer) text.Append(row.Path).Append('\n');
        using var reader = new System.Formats.Tar.TarReader(File.OpenRead(archive));
        while (reader.GetNextEntry() is { } entry)
            if (entry.DataStream is { } data) text.Append(new StreamReader(data).ReadToEnd());
        return text.ToString();
    }

    /// <summary>
    /// The RUNs below meet through a shared cache mount <c>/signal</c> (<c>cache/mounts/signal</c> in the store, which
    /// the test reads and writes too): a RUN announces it is inside with a file there, and stays inside until the test
    /// writes the file it waits for — so each assertion is made while the other side is known to be in its command.
    /// </summary>
    private const string SignalMount = "--mount=type=cache,id=signal,target=/signal";

    private static string Signal(RunFixture fixture, string name) => Path.Combine(fixture.Store, "cache", "mounts", "signal", name);

    /// <summary>Waits until a RUN has made <paramref name="path"/>; a build that ends first fails the test with its output.</summary>
    private static async Task WaitForAsync(string path, Task<(int Hits, string Out)> build)
    {
        while (!File.Exists(path))
        {
            if (build.IsCompleted) Assert.Fail($"the build ended before {Path.GetFileName(path)} appeared: {(await build).Out}");
            await Task.Delay(50, Ct);
        }
    }

    [Fact]
    public async Task A_private_cache_mount_in_use_gives_a_fresh_directory()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        string Context(string name, string command) => fixture.Context(name,
            $"FROM {RunFixture.BaseImage}\nRUN --mount=type=cache,id=pv,target=/c,sharing=private {SignalMount} {command}\n");

        var holder = BuildAsync(fixture, "private:holder", Context("holder",
            "sh -c 'touch /c/from-holder /signal/holder-in; while [ ! -e /signal/holder-go ]; do sleep 0.1; done'"), "--no-cache");
        await WaitForAsync(Signal(fixture, "holder-in"), holder);

        // The holder is inside its command, so it holds the cache: this build gets an empty directory of its own.
        var look = Context("look", "sh -c 'ls -A /c > /seen; touch /c/from-looker'");
        await BuildAsync(fixture, "private:while-held", look, "--no-cache");
        Assert.Equal("", await CatAsync(fixture, "private:while-held", "/seen"));

        File.WriteAllText(Signal(fixture, "holder-go"), "");
        await holder;
        await BuildAsync(fixture, "private:after", look, "--no-cache");
        Assert.Equal("from-holder\n", await CatAsync(fixture, "private:after", "/seen"));
    }

    [Fact]
    public async Task Two_builds_sharing_a_locked_cache_mount_take_turns()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        string Context(string name, string command) => fixture.Context(name,
            $"FROM {RunFixture.BaseImage}\nRUN --mount=type=cache,id=turns,target=/c,sharing=locked {SignalMount} {command}\n");

        var first = BuildAsync(fixture, "turns:1", Context("one",
            "sh -c 'touch /signal/one-in; while [ ! -e /signal/one-go ]; do sleep 0.1; done; echo one >> /c/order'"));
        await WaitForAsync(Signal(fixture, "one-in"), first);

        // While the first command runs, its lock is exclusive: no other user, shared or locked, can take the cache.
        var lockFile = Path.Combine(fixture.Store, "cache", "mount-locks", "turns");
        Assert.ThrowsAny<IOException>(() => new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite).Dispose());

        // The second build waits for it; it can only read the order file the first writes on its way out.
        var second = BuildAsync(fixture, "turns:2", Context("two", "sh -c 'cat /c/order > /seen; echo two >> /c/order'"));
        File.WriteAllText(Signal(fixture, "one-go"), "");
        await Task.WhenAll(first, second);
        Assert.Equal("one\n", await CatAsync(fixture, "turns:2", "/seen"));
        Assert.Equal("one\ntwo\n", File.ReadAllText(Path.Combine(fixture.Store, "cache", "mounts", "turns", "order")));
    }
}
