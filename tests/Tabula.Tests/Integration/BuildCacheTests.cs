using System.Text.RegularExpressions;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// The build cache through runc: COPY and RUN rebuilt from the cache give the cold build's image, a changed file
/// rebuilds its step and every later one, a RUN with a bind mount is keyed on what it binds; RUN secrets as
/// files with a mode and owner or as variables; cache mounts shared under a lock.
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
            """);
        var (code, output, error) = await fixture.TabulaAsync(Ct, "build", "--secret", "id=tok,src=" + secretFile, "-t", "secret:1", context);
        Assert.True(code == 0, error + output);
        Assert.DoesNotContain(secret, output + error);
        Assert.Equal("440 1000 1001\n", await CatAsync(fixture, "secret:1", "/meta"));
        Assert.Equal("yes\n", await CatAsync(fixture, "secret:1", "/env"));
        Assert.Equal("only\n", await CatAsync(fixture, "secret:1", "/only"));
        Assert.Equal("400 0\n", await CatAsync(fixture, "secret:1", "/default"));

        var archive = fixture.Temp.Combine("secret.tar");
        Assert.Equal(0, (await fixture.TabulaAsync(Ct, "save", "-o", archive, "secret:1")).Code);
        Assert.DoesNotContain(secret, await ReadAllLayersAsTextAsync(archive));
        var (_, history, _) = await fixture.TabulaAsync(Ct, "history", "--no-trunc", "secret:1");
        Assert.DoesNotContain(secret, history);

        var missing = fixture.Context("missing", $"FROM {RunFixture.BaseImage}\nRUN --mount=type=secret,id=absent,required=true true\n");
        var failed = await fixture.TabulaAsync(Ct, "build", "-t", "secret:2", missing);
        Assert.Equal(1, failed.Code);
        Assert.Contains("secret absent not found", failed.Err);
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

    [Fact]
    public async Task A_private_cache_mount_in_use_gives_a_fresh_directory_and_a_locked_one_waits()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var locks = Directory.CreateDirectory(Path.Combine(fixture.Store, "cache", "mount-locks")).FullName;
        var mounts = Path.Combine(fixture.Store, "cache", "mounts");

        var privateContext = fixture.Context("private", $"FROM {RunFixture.BaseImage}\nRUN --mount=type=cache,id=pv,target=/c,sharing=private touch /c/x && ls /c > /seen\n");
        using (new FileStream(Path.Combine(locks, "pv"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
            await BuildAsync(fixture, "private:1", privateContext, "--no-cache");
        Assert.False(File.Exists(Path.Combine(mounts, "pv", "x")));
        await BuildAsync(fixture, "private:2", privateContext, "--no-cache");
        Assert.True(File.Exists(Path.Combine(mounts, "pv", "x")));

        // Held by someone else, a locked cache is only used after they let go: what they wrote before is seen.
        var lockedContext = fixture.Context("locked", $"FROM {RunFixture.BaseImage}\nRUN --mount=type=cache,id=lk,target=/c,sharing=locked cat /c/marker > /seen\n");
        Task<(int, string)> build;
        using (new FileStream(Path.Combine(locks, "lk"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            build = BuildAsync(fixture, "locked:1", lockedContext);
            Directory.CreateDirectory(Path.Combine(mounts, "lk"));
            File.WriteAllText(Path.Combine(mounts, "lk", "marker"), "written while locked\n");
        }
        await build;
        Assert.Equal("written while locked\n", await CatAsync(fixture, "locked:1", "/seen"));
    }

    [Fact]
    public async Task Two_builds_sharing_a_locked_cache_mount_take_turns()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        string Context(string name) => fixture.Context(name, $"""
            FROM {RunFixture.BaseImage}
            RUN --mount=type=cache,id=turns,target=/c,sharing=locked sh -c 'if [ -e /c/busy ]; then echo overlap; else echo alone; fi > /result; touch /c/busy; sleep 1; rm /c/busy; echo {name}'
            """);
        var one = BuildAsync(fixture, "turns:1", Context("one"));
        var two = BuildAsync(fixture, "turns:2", Context("two"));
        await Task.WhenAll(one, two);
        Assert.Equal("alone\n", await CatAsync(fixture, "turns:1", "/result"));
        Assert.Equal("alone\n", await CatAsync(fixture, "turns:2", "/result"));
    }
}
