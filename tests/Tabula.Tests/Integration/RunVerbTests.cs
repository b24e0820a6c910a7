using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary><c>tabula run</c>, <c>unpack</c> and <c>export</c> against runc and the busybox fixture image.</summary>
public sealed class RunVerbTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_passes_output_and_the_exit_code_through()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);

        var (code, output, error) = await fixture.TabulaAsync(Ct, "run", "--rm", RunFixture.BaseImage, "sh", "-c", "echo out; echo err >&2; exit 3");

        Assert.Equal(3, code);
        Assert.Equal("out\n", output);
        Assert.Equal("err\n", error);
    }

    [Fact]
    public async Task Run_applies_env_workdir_user_and_no_network()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);

        var (code, output, error) = await fixture.TabulaAsync(Ct, "run", "-e", "GREETING=hi", "-w", "/tmp", "-u", "nobody", "--network", "none",
            RunFixture.BaseImage, "sh", "-c", "echo $GREETING; pwd; id -u; id -g; ls /sys/class/net");

        Assert.True(code == 0, error);
        Assert.Equal("hi\n/tmp\n65534\n65534\nlo\n", output);
    }

    [Fact]
    public async Task Run_of_a_missing_command_fails()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);

        var (code, output, error) = await fixture.TabulaAsync(Ct, "run", RunFixture.BaseImage, "/no/such/program");

        // runc's own failure to exec (exit 1 or 255 for runc, 127 for a shell): not success, and said on stderr.
        Assert.True(code is 1 or 127 or 255, $"exit {code}: {error}{output}");
        Assert.Contains("/no/such/program", error + output);
    }

    [Fact]
    public async Task Unpack_and_export_give_the_fixture_filesystem()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var rootfs = fixture.Temp.Combine("unpacked");
        var bundle = fixture.Temp.Combine("bundle");
        var exported = fixture.Temp.Combine("export.tar");

        Assert.Equal(0, (await fixture.TabulaAsync(Ct, "unpack", RunFixture.BaseImage, rootfs)).Code);
        Assert.Equal(0, (await fixture.TabulaAsync(Ct, "unpack", "--bundle", RunFixture.BaseImage, bundle)).Code);
        Assert.Equal(0, (await fixture.TabulaAsync(Ct, "export", RunFixture.BaseImage, "-o", exported)).Code);

        Assert.Equal("busybox", new FileInfo(Path.Combine(rootfs, "bin/sh")).LinkTarget);
        Assert.Equal(UnixFileMode.SetUser, File.GetUnixFileMode(Path.Combine(rootfs, "usr/bin/setuid-tool")) & UnixFileMode.SetUser);
        Assert.True(File.Exists(Path.Combine(bundle, "config.json")));
        Assert.True(File.Exists(Path.Combine(bundle, "rootfs/bin/busybox")));
        var listing = await TarListing.ReadFileAsync(exported, Ct);
        Assert.Contains(listing, r => r.Path == "bin/busybox");
        Assert.Contains(listing, r => r.Path == "etc/passwd-");
    }

    [Fact]
    public async Task An_unpacked_bundle_runs_with_runc_as_it_is()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var bundle = fixture.Temp.Combine("bundle");
        Assert.Equal(0, (await fixture.TabulaAsync(Ct, "unpack", "--bundle", RunFixture.BaseImage, bundle)).Code);
        var configPath = Path.Combine(bundle, "config.json");
        var config = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(configPath, Ct))!;
        config["process"]!["args"] = new System.Text.Json.Nodes.JsonArray("/bin/sh", "-c", "echo from-bundle; ls /sys/class/net");
        await File.WriteAllTextAsync(configPath, config.ToJsonString(), Ct);

        var result = await ProcessRunner.RunAsync(Requirements.Tool("runc"), ["run", "--bundle", bundle, "tabula-test-" + Guid.NewGuid().ToString("N")[..12]], Ct);

        Assert.True(result.Succeeded, result.StandardError);
        Assert.Equal("from-bundle\nlo\n", result.StandardOutput);
    }
}
