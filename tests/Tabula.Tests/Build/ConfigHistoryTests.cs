using Tabula.Oci;

namespace Tabula.Tests.Build;

/// <summary>DESIGN §4: the config and history BuildKit writes, instruction by instruction.</summary>
public class ConfigHistoryTests
{
    private const string BuildkitComment = "buildkit.dockerfile.v0";

    [Fact]
    public async Task From_scratch_starts_with_buildkits_config()
    {
        using var h = new BuildHarness();
        var options = h.Options("FROM --platform=linux/arm/v7 scratch\nLABEL a=b\n");
        await h.BuildAsync(options);
        var config = (await h.LoadAsync("test:latest")).Config;

        Assert.Equal("arm", config.Architecture);
        Assert.Equal("linux", config.Os);
        Assert.Equal("v7", config.Variant);
        Assert.Equal(["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], config.Config!.Env);
        Assert.Equal("/", config.Config.WorkingDir);
        Assert.Equal("layers", config.RootFs.Type);
        Assert.Empty(config.RootFs.DiffIds);
        Assert.Equal(BuildHarness.Epoch, config.Created);
    }

    [Fact]
    public async Task Platform_option_sets_architecture_and_os()
    {
        using var h = new BuildHarness();
        await h.BuildAsync(h.Options("FROM scratch\nLABEL a=b\n") with { Platform = Platform.Parse("linux/arm64") });
        var config = (await h.LoadAsync("test:latest")).Config;
        Assert.Equal("arm64", config.Architecture);
        Assert.Equal("linux", config.Os);
    }

    [Fact]
    public async Task Every_metadata_instruction_writes_buildkits_history_line()
    {
        using var h = new BuildHarness();
        var image = await h.BuildImageAsync("""
            FROM scratch
            ENV a=b c="d e"
            LABEL org.example.x="y z" k=v
            USER app:app
            EXPOSE 80 53/udp
            VOLUME /data /cache
            STOPSIGNAL SIGTERM
            HEALTHCHECK --interval=5s --timeout=3s --retries=2 CMD curl -f http://localhost/
            SHELL ["/bin/bash", "-c"]
            ONBUILD COPY . /src
            MAINTAINER someone@example.com
            ARG v=1
            CMD echo hi
            """);
        var config = image.Config;
        var history = config.History!;
        Assert.Equal(
        [
            "ENV a=b c=d e",
            "LABEL org.example.x=y z k=v",
            "USER app:app",
            "EXPOSE [53/udp 80/tcp]",
            "VOLUME [/data /cache]",
            "STOPSIGNAL SIGTERM",
            "HEALTHCHECK {Test:[CMD-SHELL curl -f http://localhost/] Interval:5s Timeout:3s StartPeriod:0s StartInterval:0s Retries:2}",
            "SHELL [/bin/bash -c]",
            "MAINTAINER someone@example.com",
            "ARG v=1",
            "CMD [\"/bin/bash\" \"-c\" \"echo hi\"]",
        ], history.Select(e => e.CreatedBy!));
        Assert.All(history, e =>
        {
            Assert.Equal(BuildkitComment, e.Comment);
            Assert.True(e.EmptyLayer);
            Assert.Equal(BuildHarness.Epoch, e.Created);
        });

        var c = config.Config!;
        Assert.Equal(["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "a=b", "c=d e"], c.Env);
        Assert.Equal("y z", c.Labels!["org.example.x"]);
        Assert.Equal("v", c.Labels["k"]);
        Assert.Equal("app:app", c.User);
        Assert.Equal(["53/udp", "80/tcp"], c.ExposedPorts!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["/cache", "/data"], c.Volumes!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("SIGTERM", c.StopSignal);
        Assert.Equal(["CMD-SHELL", "curl -f http://localhost/"], c.Healthcheck!.Test);
        Assert.Equal(5_000_000_000L, c.Healthcheck.Interval);
        Assert.Equal(3_000_000_000L, c.Healthcheck.Timeout);
        Assert.Equal(2, c.Healthcheck.Retries);
        Assert.Equal(["/bin/bash", "-c"], c.Shell);
        Assert.Equal(["COPY . /src"], c.OnBuild);
        Assert.Equal("someone@example.com", config.Author);
        Assert.Equal(["/bin/bash", "-c", "echo hi"], c.Cmd);
        Assert.True(c.ArgsEscaped);
    }

    [Fact]
    public async Task Healthcheck_exec_form_and_none()
    {
        using var h = new BuildHarness();
        var image = await h.BuildImageAsync("FROM scratch\nHEALTHCHECK --start-period=1m30s CMD [\"/bin/check\", \"-q\"]\n");
        var entry = Assert.Single(image.Config.History!);
        Assert.Equal("HEALTHCHECK {Test:[CMD /bin/check -q] Interval:0s Timeout:0s StartPeriod:1m30s StartInterval:0s Retries:0}", entry.CreatedBy);
        Assert.Equal(90_000_000_000L, image.Config.Config!.Healthcheck!.StartPeriod);
        Assert.Null(image.Config.Config.Healthcheck.Interval);

        image = await h.BuildImageAsync("FROM scratch\nHEALTHCHECK NONE\n", "none:1");
        Assert.Equal(["NONE"], image.Config.Config!.Healthcheck!.Test);
    }

    /// <summary>BuildKit sorts the words as written (so "0443" before "8000…"), then expands ranges.</summary>
    [Fact]
    public async Task Expose_expands_ranges_and_normalises_ports_as_buildkit()
    {
        using var h = new BuildHarness();
        var image = await h.BuildImageAsync("FROM scratch\nEXPOSE 8000-8002/UDP 0443\n");
        Assert.Equal("EXPOSE [443/tcp 8000/udp 8001/udp 8002/udp]", Assert.Single(image.Config.History!).CreatedBy);
        Assert.Equal(["443/tcp", "8000/udp", "8001/udp", "8002/udp"], image.Config.Config!.ExposedPorts!.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Cmd_and_entrypoint_use_the_default_shell_and_quote_like_go()
    {
        using var h = new BuildHarness();
        var image = await h.BuildImageAsync("FROM scratch\nENTRYPOINT exec app \"quoted\"\nCMD [\"--flag\"]\n");
        var c = image.Config.Config!;
        Assert.Equal(["/bin/sh", "-c", "exec app \"quoted\""], c.Entrypoint);
        Assert.Equal(["--flag"], c.Cmd);
        Assert.True(c.ArgsEscaped);
        Assert.Equal(
            ["ENTRYPOINT [\"/bin/sh\" \"-c\" \"exec app \\\"quoted\\\"\"]", "CMD [\"--flag\"]"],
            image.Config.History!.Select(e => e.CreatedBy!));
    }

    [Fact]
    public async Task Entrypoint_clears_an_inherited_cmd_but_not_one_set_in_the_stage()
    {
        using var h = new BuildHarness();
        await h.BuildAsync("FROM scratch\nCMD [\"/base\"]\n", "base:1");

        var cleared = await h.BuildImageAsync("FROM base:1\nENTRYPOINT [\"/app\"]\n", "cleared:1");
        Assert.Null(cleared.Config.Config!.Cmd);
        Assert.Equal(["/app"], cleared.Config.Config.Entrypoint);

        var kept = await h.BuildImageAsync("FROM base:1\nCMD [\"/mine\"]\nENTRYPOINT [\"/app\"]\n", "kept:1");
        Assert.Equal(["/mine"], kept.Config.Config!.Cmd);

        // The base's history and layers carry over, the new steps follow.
        Assert.Equal(["CMD [\"/base\"]", "CMD [\"/mine\"]", "ENTRYPOINT [\"/app\"]"], kept.Config.History!.Select(e => e.CreatedBy!));
    }

    /// <summary>BuildKit applies --label to the config alone: it wins over a LABEL of the Dockerfile and adds no history entry.</summary>
    [Fact]
    public async Task Label_option_wins_over_the_dockerfiles_and_adds_no_history()
    {
        using var h = new BuildHarness();
        await h.BuildAsync(h.Options("FROM scratch\nLABEL a=dockerfile b=kept\n") with { Labels = new Dictionary<string, string> { ["a"] = "flag", ["c"] = "new" } });
        var config = (await h.LoadAsync("test:latest")).Config;
        Assert.Equal(new Dictionary<string, string> { ["a"] = "flag", ["b"] = "kept", ["c"] = "new" }, config.Config!.Labels);
        Assert.Equal(["LABEL a=dockerfile b=kept"], config.History!.Select(e => e.CreatedBy!));
    }

    [Fact]
    public async Task Onbuild_is_stored_without_history()
    {
        using var h = new BuildHarness();
        var image = await h.BuildImageAsync("FROM scratch\nONBUILD RUN make\nLABEL a=b\n");
        Assert.Equal(["RUN make"], image.Config.Config!.OnBuild);
        Assert.Equal(["LABEL a=b"], image.Config.History!.Select(e => e.CreatedBy!));
    }

    [Fact]
    public async Task Workdir_is_relative_to_the_previous_one_and_makes_its_directory()
    {
        using var h = new BuildHarness();
        var image = await h.BuildImageAsync("FROM scratch\nWORKDIR /app\nWORKDIR src\nWORKDIR ..\nWORKDIR /\n");
        Assert.Equal("/", image.Config.Config!.WorkingDir);
        var history = image.Config.History!;
        Assert.Equal(["WORKDIR /app", "WORKDIR /app/src", "WORKDIR /app", "WORKDIR /"], history.Select(e => e.CreatedBy!));
        // Every WORKDIR but the root is a layer (BuildKit), an empty one when the directory exists.
        Assert.Equal([null, null, null, true], history.Select(e => e.EmptyLayer));
        Assert.Equal(3, image.Layers.Count);
        Assert.Empty(await LayerContents.ReadAsync(image.Layers[2]));
        Assert.Equal(history.Count(e => e.EmptyLayer != true), image.Config.RootFs.DiffIds.Count);

        var first = await LayerContents.ReadAsync(image.Layers[0]);
        var app = LayerContents.Single(first, "app");
        Assert.Equal(System.Formats.Tar.TarEntryType.Directory, app.Type);
        Assert.Equal(0b111_101_101, app.Mode);
        Assert.Equal(BuildHarness.Epoch.ToUnixTimeSeconds(), app.MTime);
        Assert.Equal(["app", "app/src"], LayerContents.Paths(await LayerContents.ReadAsync(image.Layers[1])));
    }

    /// <summary>BuildKit keeps an absolute WORKDIR as written, trailing slash included.</summary>
    [Fact]
    public async Task Workdir_keeps_an_absolute_path_as_written_trailing_slash_included()
    {
        using var h = new BuildHarness();
        var image = await h.BuildImageAsync("FROM scratch\nWORKDIR /tmp/\nWORKDIR sub\n");
        Assert.Equal("/tmp/sub", image.Config.Config!.WorkingDir);
        Assert.Equal(["WORKDIR /tmp/", "WORKDIR /tmp/sub"], image.Config.History!.Select(e => e.CreatedBy!));
        image = await h.BuildImageAsync("FROM scratch\nWORKDIR /tmp/\n", "slash:1");
        Assert.Equal("/tmp/", image.Config.Config!.WorkingDir);
    }

    [Fact]
    public async Task Workdir_directory_is_owned_by_the_current_user()
    {
        using var h = new BuildHarness();
        h.File("passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n");
        h.File("group", "root:x:0:\napp:x:1000:\n");
        var image = await h.BuildImageAsync("FROM scratch\nCOPY passwd group /etc/\nUSER app\nWORKDIR /home/app/work\n");
        var rows = await LayerContents.ReadAsync(image.Layers[^1]);
        var work = LayerContents.Single(rows, "home/app/work");
        Assert.Equal((1000, 1000), (work.Uid, work.Gid));
    }

    [Fact]
    public async Task Add_and_copy_history_ends_with_buildkit_and_has_a_layer()
    {
        using var h = new BuildHarness();
        h.File("a.txt", "a");
        var image = await h.BuildImageAsync("FROM scratch\nCOPY --chmod=600 a.txt /a\nADD --chown=1:2 a.txt /b\nCMD [\"/a\"]\n");
        var history = image.Config.History!;
        Assert.Equal(["COPY --chmod=600 a.txt /a # buildkit", "ADD --chown=1:2 a.txt /b # buildkit", "CMD [\"/a\"]"], history.Select(e => e.CreatedBy!));
        Assert.Equal([null, null, true], history.Select(e => e.EmptyLayer));
        Assert.Equal(2, image.Layers.Count);
        Assert.Equal(image.Layers.Select(l => l.DiffId), image.Config.RootFs.DiffIds);
    }

    [Fact]
    public async Task Env_replaces_a_key_in_place_and_label_values_are_expanded()
    {
        using var h = new BuildHarness();
        var image = await h.BuildImageAsync("FROM scratch\nENV PATH=/opt/bin:$PATH A=1\nENV A=2\nLABEL path=\"$PATH\"\n");
        var c = image.Config.Config!;
        Assert.Equal(["PATH=/opt/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "A=2"], c.Env);
        Assert.Equal("/opt/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", c.Labels!["path"]);
        Assert.Equal("ENV PATH=/opt/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin A=1", image.Config.History![0].CreatedBy);
    }
}
