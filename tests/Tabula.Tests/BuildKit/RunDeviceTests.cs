using Tabula.Runtime.Cdi;
using Tabula.Tests.Integration;

namespace Tabula.Tests.BuildKit;

/// <summary>
/// BuildKit's frontend/dockerfile/dockerfile_rundevice_test.go and instructions/commands_rundevice_test.go:
/// <c>RUN --device</c> with CDI specs. BuildKit's test writes its spec as YAML into buildkitd's CDI folder; tabula reads
/// JSON specs only, so the same spec is written as JSON, into a folder given with <c>--cdi-spec-dir</c>.
/// </summary>
public sealed class RunDeviceTests
{
    private const string Vendor1Spec = """
        {
          "cdiVersion": "0.6.0",
          "kind": "vendor1.com/device",
          "devices": [
            {
              "name": "foo",
              "containerEdits": { "env": ["FOO=injected"] },
              "annotations": { "org.mobyproject.buildkit.device.autoallow": "true" }
            }
          ]
        }
        """;

    [Fact]
    public async Task TestDeviceRunEnv()
    {
        using var fixture = await RunFixture.CreateAsync(TestContext.Current.CancellationToken);
        var specs = fixture.Temp.CreateDirectory("cdi");
        File.WriteAllText(Path.Combine(specs, "vendor1-device.json"), Vendor1Spec);
        var image = await BusyboxBuild.BuildImageAsync(fixture, "device:1", """
            FROM busybox AS base
            RUN --device=vendor1.com/device=foo,required \
                --device=vendor2.com/device=bar \
                env|sort | tee foo.env
            FROM scratch
            COPY --from=base /foo.env /
            """, "--cdi-spec-dir", specs);
        Assert.Contains("FOO=injected", await BusyboxBuild.FileTextAsync(image, "foo.env"));
    }

    /// <summary>A spec's device nodes and mounts reach the container; a device without autoallow needs <c>--allow device</c>.</summary>
    [Fact]
    public async Task Device_nodes_and_mounts_of_a_spec_are_made_and_need_the_entitlement()
    {
        using var fixture = await RunFixture.CreateAsync(TestContext.Current.CancellationToken);
        var specs = fixture.Temp.CreateDirectory("cdi");
        var shared = fixture.Temp.Combine("shared.txt");
        File.WriteAllText(shared, "from the host\n");
        File.WriteAllText(Path.Combine(specs, "acme.json"), $$"""
            {
              "cdiVersion": "0.6.0",
              "kind": "acme.example/gpu",
              "containerEdits": { "env": ["ACME_VISIBLE=all"] },
              "devices": [
                {
                  "name": "zero",
                  "containerEdits": {
                    "deviceNodes": [{ "path": "/dev/acme0", "hostPath": "/dev/null" }],
                    "mounts": [{ "hostPath": "{{shared}}", "containerPath": "/opt/acme.txt", "options": ["ro", "rbind"] }]
                  }
                }
              ]
            }
            """);
        const string dockerfile = """
            FROM busybox AS base
            RUN --device=acme.example/gpu=zero sh -c 'ls -l /dev/acme0 > /out; echo written > /dev/acme0; cat /opt/acme.txt >> /out; echo $ACME_VISIBLE >> /out'
            FROM scratch
            COPY --from=base /out /
            """;
        var (code, output) = await BusyboxBuild.BuildAsync(fixture, "gpu:1", dockerfile, "--cdi-spec-dir", specs);
        Assert.Equal(1, code);
        Assert.Contains("device \"acme.example/gpu=zero\" is requested by the build but not allowed: build with --allow device", output, StringComparison.Ordinal);

        var image = await BusyboxBuild.BuildImageAsync(fixture, "gpu:2", dockerfile, "--cdi-spec-dir", specs, "--allow", "device");
        var lines = (await BusyboxBuild.FileTextAsync(image, "out"))!.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("crw", lines[0], StringComparison.Ordinal);
        Assert.Contains("1,   3", lines[0], StringComparison.Ordinal); // /dev/null's numbers, taken from the host node
        Assert.Equal(["from the host", "all"], lines[1..]);
    }

    [Fact]
    public async Task A_required_device_that_no_json_spec_names_is_an_error_naming_yaml_specs()
    {
        using var fixture = await RunFixture.CreateAsync(TestContext.Current.CancellationToken);
        var specs = fixture.Temp.CreateDirectory("cdi");
        File.WriteAllText(Path.Combine(specs, "vendor1-device.yaml"), "cdiVersion: \"0.6.0\"\nkind: \"vendor1.com/device\"\n");
        var (code, output) = await BusyboxBuild.BuildAsync(fixture, "missing:1",
            "FROM busybox\nRUN --device=vendor1.com/device=foo,required true\n", "--cdi-spec-dir", specs);
        Assert.Equal(1, code);
        var error = output.Split('\n').Single(l => l.StartsWith("Error: ", StringComparison.Ordinal));
        Assert.Contains("Dockerfile:2", error, StringComparison.Ordinal);
        Assert.Contains("required device \"vendor1.com/device=foo\" is not registered", error, StringComparison.Ordinal);
        Assert.Contains("write vendor1-device.yaml as JSON", error, StringComparison.Ordinal);
    }

    /// <summary>BuildKit's TestParseDevice.</summary>
    [Theory]
    [InlineData("vendor1.com/device=foo", "vendor1.com/device=foo", false)]
    [InlineData("vendor1.com/device", "vendor1.com/device", false)]
    [InlineData("vendor1.com/device=foo,required", "vendor1.com/device=foo", true)]
    [InlineData("vendor1.com/device=foo,required=true", "vendor1.com/device=foo", true)]
    [InlineData("vendor1.com/device=foo,required=false", "vendor1.com/device=foo", false)]
    [InlineData("name=vendor1.com/device=foo", "vendor1.com/device=foo", false)]
    [InlineData("name=vendor1.com/device=foo,required", "vendor1.com/device=foo", true)]
    public void TestParseDevice(string input, string name, bool required)
        => Assert.Equal(new DeviceRequest(name, required), DeviceRequest.Parse(input));

    [Fact]
    public void A_second_name_is_refused()
    {
        var error = Assert.Throws<FormatException>(() => DeviceRequest.Parse("vendor1.com/device=foo,name=vendor2.com/device=bar"));
        Assert.Contains("device name already set to vendor1.com/device=foo", error.Message, StringComparison.Ordinal);
    }
}
