using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// <c>--format</c> templates give what docker's give for the same image: docker builds it, tabula loads docker's
/// save of it, and both answer the same templates of <c>images</c>, <c>inspect</c> and <c>history</c>.
/// </summary>
public sealed class FormatTemplateDockerTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ImagesInspectAndHistoryTemplatesPrintWhatDockerPrints()
    {
        await using var docker = await Docker.ConnectAsync(Token);
        using var temp = new TempDir("format-templates");
        var (tag, _, archive) = await DockerSaveTabulaLoadTests.BuildAndSaveWithDockerAsync(docker, temp,
            "LABEL org.example.team=\"build tools\" a=1\nENV GREETING=hello\nWORKDIR /srv\n");
        var tabula = new TabulaCli(temp.Combine("store"));
        await tabula.RunCheckedAsync(["load", "-i", archive], Token);

        string[] images =
        [
            "{{.Repository}}:{{.Tag}} {{.ID}}",
            "{{json .Tag}}",
            "table {{.Repository}}\t{{.Tag}}\t{{.ID}}",
            "{{.ID}}\\t{{.Repository}}",
        ];
        // Listed by the full name: other tests build under the same repository in docker at the same time.
        foreach (var template in images)
            await AssertSameAsync(docker, tabula, ["images", "--format", template, tag], ["images", "--format", template, tag]);

        string[] inspect =
        [
            "{{.Id}}",
            "{{.Os}}/{{.Architecture}}",
            "{{json .Config.Cmd}}",
            "{{.Config.Env}}",
            "{{index .Config.Labels \"org.example.team\"}}",
            "{{range .RootFS.Layers}}{{.}} {{end}}",
            "{{len .RootFS.Layers}}",
            "{{.Config.Labels}}",
            "{{json .Config.Labels}}",
            "{{if .Config.User}}{{.Config.User}}{{else}}root{{end}} in {{.Config.WorkingDir}}",
            "{{join .RepoTags \",\"}}",
        ];
        foreach (var template in inspect)
            await AssertSameAsync(docker, tabula, ["image", "inspect", "--format", template, tag], ["inspect", "--format", template, tag]);

        string[] history = ["{{.CreatedBy}}", "{{json .CreatedBy}}|{{.Comment}}"];
        foreach (var template in history)
            await AssertSameAsync(docker, tabula, ["history", "--no-trunc", "--format", template, tag], ["history", "--no-trunc", "--format", template, tag]);
    }

    private static async Task AssertSameAsync(Docker docker, TabulaCli tabula, string[] dockerArguments, string[] tabulaArguments)
    {
        var expected = await docker.OutputAsync(dockerArguments, Token);
        var actual = (await tabula.RunCheckedAsync(tabulaArguments, Token)).StandardOutput;
        Assert.True(expected == actual, $"{string.Join(' ', tabulaArguments)}:\ndocker: {expected}\ntabula: {actual}");
    }
}
