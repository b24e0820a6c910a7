using System.Text;
using Tabula.Archives.Docker;
using Tabula.Oci;

namespace Tabula.Tests.Archives;

/// <summary>The v1 JSON and ids must be byte-exact: docker derives the same ids from the same JSON.</summary>
public sealed class LegacyLayerJsonTests
{
    private const string Zero = """{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null}""";

    private static Digest Sha(string text) => Digest.Compute(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void IdsAreDerivedAsMobysCreateIdDoes()
    {
        var d0 = Sha("layer one");
        var d1 = Sha("layer two");
        var rawConfig = Encoding.UTF8.GetBytes($$$"""{"architecture":"amd64","config":{"Env":["PATH=/bin"],"Cmd":["/bin/sh"],"WorkingDir":"/","Labels":{"b":"2","a":"1"}},"created":"2024-01-26T23:44:47.000Z","os":"linux","rootfs":{"type":"layers","diff_ids":["{{{d0}}}","{{{d1}}}"]},"history":[]}""");
        const string run = """{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["PATH=/bin"],"Cmd":["/bin/sh"],"Image":"","Volumes":null,"WorkingDir":"/","Entrypoint":null,"OnBuild":null,"Labels":{"a":"1","b":"2"}}""";

        var chain = LegacyLayerJson.ChainIds([d0, d1]);
        Assert.Equal(d0, chain[0]);
        Assert.Equal(Sha($"{d0} {d1}"), chain[1]);

        var lower = LegacyLayerJson.ForLowerLayer(null);
        var baseId = LegacyLayerJson.CreateId(lower, chain[0], null);
        Assert.Equal(Sha($$"""{"container_config":{{Zero}},"created":"1970-01-01T00:00:00Z","layer_id":"{{d0}}"}"""), baseId);
        Assert.Equal($$"""{"id":"{{baseId.Encoded}}","created":"1970-01-01T00:00:00Z","container_config":{{Zero}},"os":"linux"}""",
            Encoding.UTF8.GetString(LegacyLayerJson.Serialize(lower, baseId, null, "linux")));

        var top = LegacyLayerJson.ForTopLayer(rawConfig);
        var topId = LegacyLayerJson.CreateId(top, chain[1], baseId);
        Assert.Equal(Sha($$"""{"architecture":"amd64","config":{{run}},"container_config":{{Zero}},"created":"2024-01-26T23:44:47Z","layer_id":"{{chain[1]}}","os":"linux","parent":"{{baseId}}"}"""), topId);
        Assert.Equal($$"""{"id":"{{topId.Encoded}}","parent":"{{baseId.Encoded}}","created":"2024-01-26T23:44:47Z","container_config":{{Zero}},"config":{{run}},"architecture":"amd64","os":"linux"}""",
            Encoding.UTF8.GetString(LegacyLayerJson.Serialize(top, topId, baseId, "linux")));
    }

    [Fact]
    public void ContainerConfigKeepsDockers2010FieldsOnly()
    {
        var json = System.Text.Json.JsonDocument.Parse("""{"User":"app","ExposedPorts":{"80/tcp":{},"443/tcp":{}},"Healthcheck":{"Test":["CMD","true"],"Interval":1000000000,"StartInterval":5},"ArgsEscaped":true,"StopSignal":"SIGTERM","Unknown":1,"Shell":["/bin/sh","-c"],"Cmd":"one"}""");
        var marshalled = GoContainerConfig.Marshal(json.RootElement);
        Assert.Equal("""{"Hostname":"","Domainname":"","User":"app","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"ExposedPorts":{"443/tcp":{},"80/tcp":{}},"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":["one"],"Healthcheck":{"Test":["CMD","true"],"Interval":1000000000},"ArgsEscaped":true,"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null,"StopSignal":"SIGTERM","Shell":["/bin/sh","-c"]}""", marshalled);
    }

    [Theory]
    [InlineData("a<b>&c", "\"a\\u003cb\\u003e\\u0026c\"")]
    [InlineData("tab\tnl\nq\"bs\\", "\"tab\\tnl\\nq\\\"bs\\\\\"")]
    [InlineData("\u0001\b\f", "\"\\u0001\\u0008\\u000c\"")]
    [InlineData("é ☃ \u2028", "\"é ☃ \\u2028\"")]
    public void StringsAreEscapedAsGoEscapesThem(string value, string expected)
        => Assert.Equal(expected, GoJsonWriter.Quote(value));

    [Theory]
    [InlineData("2024-01-26T23:44:47.000Z", "2024-01-26T23:44:47Z")]
    [InlineData("2024-01-26T23:44:47.5100Z", "2024-01-26T23:44:47.51Z")]
    [InlineData("2024-01-26T23:44:47.123456789123Z", "2024-01-26T23:44:47.123456789Z")]
    [InlineData("2024-01-26T23:44:47+00:00", "2024-01-26T23:44:47Z")]
    [InlineData("2024-01-26T23:44:47+02:00", "2024-01-26T23:44:47+02:00")]
    public void TimesAreWrittenAsGoWritesThem(string input, string expected)
        => Assert.Equal(expected, LegacyLayerJson.GoTimeText(input));

    [Fact]
    public void ConfigWithoutCreatedGetsGosZeroTime()
    {
        var fields = LegacyLayerJson.ForTopLayer("""{"os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"""u8);
        Assert.Contains(new KeyValuePair<string, string>("created", "\"0001-01-01T00:00:00Z\""), fields.Values);
    }
}
