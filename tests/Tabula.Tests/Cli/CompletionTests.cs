using Tabula.Cli;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Cli;

/// <summary>
/// <c>tabula completion SHELL</c> and the <c>[suggest]</c> requests its scripts make; the bash script is loaded into a
/// real bash and its completion function driven the way bash drives it (COMP_WORDS, COMP_CWORD).
/// </summary>
public class CompletionTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await CliApp.RunAsync(args, output, error, _ => null, Token);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task SuggestCompletesAHalfTypedVerbAndAVerbsFlags()
    {
        var (code, output, _) = await RunAsync("[suggest:10]", "tabula bui");
        Assert.Equal(0, code);
        Assert.Equal(["build"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        (_, output, _) = await RunAsync("[suggest:20]", "tabula build --no-ca");
        Assert.Equal(["--no-cache", "--no-cache-filter"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task SuggestOffersTheStoresImageNamesWhereAVerbTakesAnImage()
    {
        using var temp = new TempDir("complete");
        var context = temp.CreateDirectory("context");
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), "FROM scratch\nENV A=1\n", Token);
        var store = temp.Combine("store");
        await new TabulaCli(store).BuildAsync(context, "completable/image:1", Token);

        var line = $"tabula --root {store} run comp";
        var (_, output, _) = await RunAsync($"[suggest:{line.Length}]", line);
        Assert.Equal(["completable/image:1"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        // No store there: nothing offered, and none created by asking.
        line = $"tabula --root {temp.Combine("none")} rmi ";
        (_, output, _) = await RunAsync($"[suggest:{line.Length}]", line);
        Assert.DoesNotContain("completable/image:1", output);
        Assert.False(Directory.Exists(temp.Combine("none")));
    }

    [Theory]
    [InlineData("bash", "complete -o default -F _tabula_complete tabula")]
    [InlineData("zsh", "#compdef tabula")]
    [InlineData("fish", "complete -c tabula")]
    public async Task EachShellGetsItsScriptAndItAsksTabula(string shell, string registration)
    {
        var (code, output, _) = await RunAsync("completion", shell);
        Assert.Equal(0, code);
        Assert.Contains(registration, output);
        Assert.Contains("[suggest:", output);
    }

    [Fact]
    public async Task AnUnknownShellIsAUsageError()
    {
        var (code, _, error) = await RunAsync("completion", "tcsh");
        Assert.Equal(2, code);
        Assert.StartsWith("Error: no completion for shell 'tcsh': use bash, zsh, fish", error);
    }

    [Fact]
    public async Task TheBashScriptRegistersInBashAndCompletesVerbsAndImages()
    {
        var bash = Requirements.Tool("bash");
        using var temp = new TempDir("complete-bash");
        var script = temp.Combine("tabula.bash");
        await File.WriteAllTextAsync(script, (await RunAsync("completion", "bash")).Output, Token);
        (await ProcessRunner.RunAsync(bash, ["-n", script], Token)).EnsureSuccess();

        var context = temp.CreateDirectory("context");
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), "FROM scratch\nENV A=1\n", Token);
        var store = temp.Combine("store");
        await new TabulaCli(store).BuildAsync(context, "bashcompleted:2", Token);

        // A non-interactive bash, as the completion machinery calls the function: the words so far and the cursor's word.
        var driver = $$"""
            source "$1"
            complete -p tabula
            complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=(); _tabula_complete; echo "[${COMPREPLY[*]}]"; }
            complete_words tabula bui
            complete_words tabula rmi bashc
            complete_words tabula build --pul
            """;
        var environment = new Dictionary<string, string?>
        {
            // The script runs the tabula it completes for: this build's, first on PATH.
            ["PATH"] = AppContext.BaseDirectory + ":" + Environment.GetEnvironmentVariable("PATH"),
            ["TABULA_ROOT"] = store,
        };
        var result = (await ProcessRunner.RunAsync(bash, ["-c", driver, "driver", script], Token, new ProcessOptions { Environment = environment })).EnsureSuccess();
        Assert.Equal(
            ["complete -o default -F _tabula_complete tabula", "[build]", "[bashcompleted:2]", "[--pull]"],
            result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
