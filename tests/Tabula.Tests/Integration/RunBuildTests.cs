using System.Formats.Tar;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>RUN in builds through runc: the layer holds what the command changed, failures are located, multi-stage into scratch.</summary>
public sealed class RunBuildTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static async Task<List<(string Path, TarEntryType Type)>> TopLayerAsync(RunFixture fixture, string image)
    {
        var archive = fixture.Temp.Combine(Guid.NewGuid().ToString("N") + ".tar");
        var (code, _, error) = await fixture.TabulaAsync(Ct, "save", "-o", archive, image);
        Assert.True(code == 0, error);
        var layers = await DockerSaveArchive.ReadLayerListingsAsync(archive, Ct);
        return layers[^1].Select(r => (r.Path, r.Type)).ToList();
    }

    [Fact]
    public async Task Run_layer_holds_added_and_modified_files_and_whiteouts_for_deletions()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", $"""
            FROM {RunFixture.BaseImage}
            ARG WHO=world
            RUN echo "hello $WHO" > /hello && echo extra >> /etc/os-release && rm /etc/shadow && rm -r /usr/share/doc && echo ran
            """);

        var (code, output, error) = await fixture.TabulaAsync(Ct, "build", "-t", "run-test:1", context);

        Assert.True(code == 0, error + output);
        Assert.Contains(" ran", output);
        var layer = await TopLayerAsync(fixture, "run-test:1");
        var paths = layer.Select(e => e.Path).ToList();
        Assert.Contains("hello", paths);
        Assert.Contains("etc/os-release", paths);
        Assert.Contains("etc/.wh.shadow", paths);
        Assert.Contains("usr/share/.wh.doc", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("proc/", StringComparison.Ordinal) || p.StartsWith("dev/", StringComparison.Ordinal) || p == "etc/hosts" || p == "etc/resolv.conf" || p == "etc/hostname");
        Assert.DoesNotContain(paths, p => p.StartsWith("usr/bin", StringComparison.Ordinal));

        var (runCode, seen, runError) = await fixture.TabulaAsync(Ct, "run", "--rm", "run-test:1", "sh", "-c",
            "cat /hello; tail -n 1 /etc/os-release; test -e /etc/shadow && echo shadow; test -e /usr/share/doc || echo doc-gone");
        Assert.True(runCode == 0, runError);
        Assert.Equal("hello world\nextra\ndoc-gone\n", seen);

        var (_, history, _) = await fixture.TabulaAsync(Ct, "history", "--no-trunc", "run-test:1");
        Assert.Contains("RUN |1 WHO=world /bin/sh -c echo \"hello $WHO\"", history);
    }

    [Fact]
    public async Task Docker_runs_the_built_image_and_sees_the_deletion()
    {
        await using var docker = await Docker.ConnectAsync(Ct);
        using var fixture = await RunFixture.CreateAsync(Ct);
        var tag = docker.NewTag("run-build");
        var context = fixture.Context("ctx", $"FROM {RunFixture.BaseImage}\nRUN rm /etc/shadow && echo made > /made\n");
        var (code, output, error) = await fixture.TabulaAsync(Ct, "build", "-t", tag, context);
        Assert.True(code == 0, error + output);
        var archive = fixture.Temp.Combine("image.tar");
        Assert.Equal(0, (await fixture.TabulaAsync(Ct, "save", "-o", archive, tag)).Code);

        await docker.LoadAsync(archive, Ct);
        var run = await docker.RunAsync(tag, ["sh", "-c", "cat /made; test -e /etc/shadow || echo gone"], Ct);

        Assert.Equal("made\ngone\n", run.EnsureSuccess().StandardOutput);
    }

    [Fact]
    public async Task A_failing_run_names_the_line_and_exit_code_and_stores_nothing()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", $"FROM {RunFixture.BaseImage}\nRUN echo about to fail && exit 7\nRUN echo never\n");
        var index = await File.ReadAllBytesAsync(Path.Combine(fixture.Store, "index.json"), Ct);

        var (code, output, error) = await fixture.TabulaAsync(Ct, "build", "-t", "broken:1", context);

        Assert.Equal(1, code);
        Assert.Contains("Dockerfile:2", error);
        Assert.Contains("exit code: 7", error);
        Assert.Contains("about to fail", error);
        Assert.DoesNotContain("never", output);
        Assert.Equal(index, await File.ReadAllBytesAsync(Path.Combine(fixture.Store, "index.json"), Ct));
    }

    [Fact]
    public async Task A_secret_is_mounted_for_the_command_and_left_out_of_the_layer()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var secret = fixture.Temp.Combine("token.txt");
        await File.WriteAllTextAsync(secret, "s3cret", Ct);
        var context = fixture.Context("ctx", $"""
            FROM {RunFixture.BaseImage}
            RUN --mount=type=secret,id=token test "$(cat /run/secrets/token)" = s3cret && echo secret-seen && touch /after
            RUN --mount=type=secret,id=absent echo optional-secret-skipped
            """);
        var missing = fixture.Context("ctx2", $"FROM {RunFixture.BaseImage}\nRUN --mount=type=secret,id=absent,required echo never\n");

        var (code, output, error) = await fixture.TabulaAsync(Ct, "build", "--secret", "id=token,src=" + secret, "-t", "secret:1", context);
        var failed = await fixture.TabulaAsync(Ct, "build", "-t", "secret:2", missing);

        Assert.True(code == 0, error + output);
        Assert.Contains("| secret-seen", output);
        Assert.Contains("| optional-secret-skipped", output);
        var archive = fixture.Temp.Combine("secret.tar");
        Assert.Equal(0, (await fixture.TabulaAsync(Ct, "save", "-o", archive, "secret:1")).Code);
        var layers = await DockerSaveArchive.ReadLayerListingsAsync(archive, Ct);
        var runLayer = layers[^2].Select(r => r.Path).ToList(); // the second RUN changed nothing: its layer is empty, as BuildKit's
        Assert.Equal(3, layers.Count);
        Assert.Empty(layers[^1]);
        Assert.Contains("after", runLayer);
        Assert.DoesNotContain(runLayer, p => p.StartsWith("run", StringComparison.Ordinal));
        Assert.Equal(1, failed.Code);
        Assert.Contains("Dockerfile:2", failed.Err);
        Assert.Contains("secret absent: not found", failed.Err);
    }

    [Fact]
    public async Task Exec_form_user_workdir_env_and_a_shebang_heredoc_apply()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", $$"""
            FROM {{RunFixture.BaseImage}}
            ENV MODE=exec
            WORKDIR /app
            RUN ["/bin/sh", "-c", "echo $MODE > mode"]
            USER nobody
            RUN echo "uid $(id -u)"
            USER root
            RUN <<EOF
            #!/bin/sh
            echo "script $0" > /app/script
            EOF
            """);

        var (code, output, error) = await fixture.TabulaAsync(Ct, "build", "-t", "forms:1", context);
        Assert.True(code == 0, error + output);

        Assert.Contains("| uid 65534", output);
        var (_, seen, _) = await fixture.TabulaAsync(Ct, "run", "forms:1", "sh", "-c", "cat /app/mode /app/script");
        Assert.Equal("exec\nscript /dev/pipes/EOF\n", seen);
    }

    [Fact]
    public async Task Multi_stage_build_into_scratch_holds_only_the_artefact()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", $"""
            FROM {RunFixture.BaseImage} AS build
            RUN mkdir -p /out && cp /bin/busybox /out/busybox && printf '#!/busybox sh\necho built in a stage\n' > /out/hello && chmod 755 /out/hello
            FROM scratch
            COPY --from=build /out/ /
            ENTRYPOINT ["/busybox", "sh", "/hello"]
            """);

        var (code, output, error) = await fixture.TabulaAsync(Ct, "build", "-t", "multi:1", context);
        Assert.True(code == 0, error + output);

        var (_, listing, _) = await fixture.TabulaAsync(Ct, "ls", "multi:1");
        var names = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]).ToList();
        Assert.Equal(["busybox", "hello"], names);
        var (runCode, seen, runError) = await fixture.TabulaAsync(Ct, "run", "--network", "none", "multi:1");
        Assert.True(runCode == 0, runError);
        Assert.Equal("built in a stage\n", seen);
    }
}

/// <summary>The RUN cache: the same step on the same parent reuses its layer unless --no-cache.</summary>
public sealed class RunCacheTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_repeated_run_is_answered_by_the_cache_and_no_cache_runs_it_again()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", $"FROM {RunFixture.BaseImage}\nRUN echo ran-the-command && date > /stamp\n");
        var changed = fixture.Context("ctx2", $"FROM {RunFixture.BaseImage}\nRUN echo ran-the-command && date > /stamp && true\n");

        var first = await fixture.TabulaAsync(Ct, "build", "--timestamp", "1700000000", "-t", "cached:1", context);
        var second = await fixture.TabulaAsync(Ct, "build", "--timestamp", "1700000000", "-t", "cached:2", context);
        var other = await fixture.TabulaAsync(Ct, "build", "--timestamp", "1700000000", "-t", "cached:3", changed);
        var forced = await fixture.TabulaAsync(Ct, "build", "--no-cache", "--timestamp", "1700000000", "-t", "cached:4", context);

        Assert.True(first.Code == 0, first.Err);
        Assert.Contains("| ran-the-command", first.Out);
        Assert.DoesNotContain("| ran-the-command", second.Out);
        Assert.Contains("Using cache", second.Out);
        Assert.Contains("| ran-the-command", other.Out);
        Assert.Contains("| ran-the-command", forced.Out);
        var ids = new List<string>();
        foreach (var tag in new[] { "cached:1", "cached:2" })
            ids.Add((await fixture.TabulaAsync(Ct, "images", "-q", tag)).Out.Trim());
        Assert.Equal(ids[0], ids[1]);
    }
}

/// <summary>examples/multistage built by tabula over the busybox fixture, and run by docker if a daemon answers.</summary>
public sealed class RunMultistageExampleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_multistage_example_builds_into_scratch_and_runs_under_docker()
    {
        await using var docker = await Docker.ConnectAsync(Ct);
        using var fixture = await RunFixture.CreateAsync(Ct);
        var tag = docker.NewTag("multistage-example");

        var (code, output, error) = await fixture.TabulaAsync(Ct, "build", "--build-arg", "BASE=" + RunFixture.BaseImage, "-t", tag, RepositoryPaths.Example("multistage"));
        Assert.True(code == 0, error + output);
        var (_, listing, _) = await fixture.TabulaAsync(Ct, "ls", tag);
        Assert.Equal(["busybox", "hello"], listing.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]));
        var archive = fixture.Temp.Combine("multistage.tar");
        Assert.Equal(0, (await fixture.TabulaAsync(Ct, "save", "-o", archive, tag)).Code);

        await docker.LoadAsync(archive, Ct);
        var run = await docker.RunAsync(tag, [], Ct);

        Assert.Equal("Hello from a multi-stage build, running on Linux\n", run.EnsureSuccess().StandardOutput);
    }
}
