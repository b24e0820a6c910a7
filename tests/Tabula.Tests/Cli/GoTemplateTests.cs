using System.Text.Json;
using Tabula.Cli.Formatting.Templates;

namespace Tabula.Tests.Cli;

/// <summary>
/// The --format template language: expected outputs are what Go's text/template with docker's functions prints for
/// the same template and JSON (written out from Go's documented behaviour, not from this engine).
/// </summary>
public class GoTemplateTests
{
    private const string Image = """
        {"Id":"sha256:abc","RepoTags":["app:1","app:latest"],"Size":1234567,"Ratio":0.5,"Empty":[],
         "Config":{"Env":["PATH=/bin","A=1"],"Cmd":["/bin/sh","-c","echo hi"],"Labels":{"b":"2","a":"1","org.x":"y"},"User":""},
         "Missing":null,"Yes":true}
        """;

    private static string Render(string template, string json = Image)
    {
        using var document = JsonDocument.Parse(json);
        return GoTemplate.Parse(template).Render(document.RootElement);
    }

    [Theory]
    [InlineData("{{.Id}}", "sha256:abc")]
    [InlineData("id={{.Id}} size={{.Size}}", "id=sha256:abc size=1234567")]
    [InlineData("{{.Ratio}}", "0.5")]
    [InlineData("{{.Config.Cmd}}", "[/bin/sh -c echo hi]")]
    [InlineData("{{.Config.Labels}}", "map[a:1 b:2 org.x:y]")]
    [InlineData("{{.Nope}}", "<no value>")]
    [InlineData("{{.Missing}}", "<nil>")]
    [InlineData("{{json .Config.Cmd}}", "[\"/bin/sh\",\"-c\",\"echo hi\"]")]
    [InlineData("{{json .Id}}", "\"sha256:abc\"")]
    [InlineData("{{json .Config.Labels}}", "{\"b\":\"2\",\"a\":\"1\",\"org.x\":\"y\"}")]
    [InlineData("{{join .RepoTags \",\"}}", "app:1,app:latest")]
    [InlineData("{{index .Config.Labels \"org.x\"}}", "y")]
    [InlineData("{{index .RepoTags 1}}", "app:latest")]
    [InlineData("{{(index .RepoTags 0)}}", "app:1")]
    [InlineData("{{len .RepoTags}}", "2")]
    [InlineData("{{range .Config.Env}}{{.}};{{end}}", "PATH=/bin;A=1;")]
    [InlineData("{{range .Empty}}x{{else}}none{{end}}", "none")]
    [InlineData("{{if .Config.User}}user{{else}}root{{end}}", "root")]
    [InlineData("{{if .Yes}}yes{{end}}", "yes")]
    [InlineData("{{if eq .Id \"sha256:abc\"}}same{{end}}", "same")]
    [InlineData("{{if ne (len .RepoTags) 2}}x{{else}}two{{end}}", "two")]
    [InlineData("{{with .Config}}{{.Env}}{{end}}", "[PATH=/bin A=1]")]
    [InlineData("{{.Id | upper}}", "SHA256:ABC")]
    [InlineData("{{lower \"ABC\"}} {{title \"hello world\"}}", "abc Hello World")]
    [InlineData("{{split \"a:b:c\" \":\"}}", "[a b c]")]
    [InlineData("{{truncate .Id 6}}", "sha256")]
    [InlineData("{{printf \"%s has %d tags\" .Id (len .RepoTags)}}", "sha256:abc has 2 tags")]
    [InlineData("{{printf \"%q\" .Id}}", "\"sha256:abc\"")]
    [InlineData("{{println .Id}}", "sha256:abc\n")]
    [InlineData("a  {{- .Id -}}  b", "asha256:abcb")]
    [InlineData("{{/* a comment */}}x", "x")]
    [InlineData("{{and .Yes .Id}}|{{or .Config.User \"none\"}}|{{not .Yes}}", "sha256:abc|none|false")]
    [InlineData("{{.Id}}\\t{{.Size}}", "sha256:abc\t1234567")]
    public void RendersAsGoDoes(string template, string expected) => Assert.Equal(expected, Render(template));

    [Theory]
    [InlineData("{{.Id", "unclosed action")]
    [InlineData("{{if .Id}}x", "has no {{end}}")]
    [InlineData("{{end}}", "unexpected {{end}}")]
    [InlineData("{{nosuch .Id}}", "function \"nosuch\" not defined")]
    [InlineData("{{$x := .Id}}", "variables")]
    [InlineData("{{.Id \"x\"}}", "can't give argument to non-function")]
    [InlineData("{{index .RepoTags 5}}", "index out of range: 5")]
    [InlineData("{{.Id.Deeper}}", "can't evaluate field Deeper in a string")]
    public void BadTemplatesAreOneTemplateError(string template, string expected)
    {
        var error = Assert.Throws<TemplateException>(() => Render(template));
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void ATableTemplateRendersItsHeaderFromTheColumnNames()
    {
        var template = GoTemplate.Parse("table {{.Repository}}\\t{{.ID}}\\t{{.Other}}");
        Assert.True(template.IsTable);
        var header = template.RenderHeader(new Dictionary<string, string> { ["Repository"] = "REPOSITORY", ["ID"] = "IMAGE ID" });
        Assert.Equal("REPOSITORY\tIMAGE ID\tOTHER", header);
    }

    [Fact]
    public void TableOutputAlignsColumnsAsDockersTabwriter()
    {
        var template = GoTemplate.Parse("table {{.Repository}}\t{{.Tag}}");
        using var a = JsonDocument.Parse("""{"Repository":"busybox","Tag":"latest"}""");
        using var b = JsonDocument.Parse("""{"Repository":"registry.example/team/app","Tag":"1"}""");
        var output = new StringWriter();
        TemplateOutput.Write(template, [a.RootElement, b.RootElement], new Dictionary<string, string> { ["Repository"] = "REPOSITORY", ["Tag"] = "TAG" }, output);
        Assert.Equal(
            "REPOSITORY                  TAG\n" +
            "busybox                     latest\n" +
            "registry.example/team/app   1\n", output.ToString().ReplaceLineEndings("\n"));
    }
}
