using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Cli;

/// <summary>
/// The CI recipes under deploy/ci are valid YAML and run the self-image's verbs. There is no YAML parser in the BCL or
/// among the project's packages, so python3's (python3-yaml) reads them; without it the test is skipped, saying why.
/// </summary>
public class CiRecipeTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string[] Recipes() => Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "deploy", "ci"), "*.y*ml").Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void EveryRecipeBuildsAndPushesWithTabula()
    {
        var recipes = Recipes();
        Assert.Equal(["github-actions.yml", "gitlab-ci.yml", "shipwright-buildstrategy.yaml", "tekton-task.yaml"], recipes.Select(Path.GetFileName));
        foreach (var recipe in recipes)
        {
            var text = File.ReadAllText(recipe);
            Assert.Contains("build", text);
            Assert.Contains("push", text);
            Assert.DoesNotContain('\t', text); // YAML forbids tabs for indentation
        }
    }

    [Fact]
    public async Task EveryRecipeIsValidYaml()
    {
        if (ExecutableSearch.Find("python3") is not { } python)
        {
            Assert.Skip("python3 is not installed: no YAML parser to check the recipes with (apt-get install python3-yaml)");
            return;
        }
        var probe = await ProcessRunner.RunAsync(python, ["-c", "import yaml"], Token);
        if (!probe.Succeeded) Assert.Skip("python3 has no yaml module: no YAML parser to check the recipes with (apt-get install python3-yaml)");
        // Each file parsed whole; the kinds say the documents are what their names promise.
        const string Script = "import sys, yaml\nfor p in sys.argv[1:]:\n    docs = [d for d in yaml.safe_load_all(open(p)) if d is not None]\n    print(p.rsplit('/', 1)[-1], len(docs), docs[0].get('kind', '-') if isinstance(docs[0], dict) else type(docs[0]).__name__)\n";
        var result = (await ProcessRunner.RunAsync(python, ["-c", Script, .. Recipes()], Token)).EnsureSuccess();
        Assert.Equal(
            ["github-actions.yml 1 -", "gitlab-ci.yml 1 -", "shipwright-buildstrategy.yaml 1 BuildStrategy", "tekton-task.yaml 1 Task"],
            result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
