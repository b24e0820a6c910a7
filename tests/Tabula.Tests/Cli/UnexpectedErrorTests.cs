using Tabula.Cli;

namespace Tabula.Tests.Cli;

/// <summary>Whatever goes wrong, the command line answers with one line and an exit code, never a stack trace.</summary>
public class UnexpectedErrorTests
{
    [Fact]
    public async Task ABuildOfOnlyArgsIsOneLineAndExitOne()
    {
        var root = Directory.CreateTempSubdirectory("tabula-cli-");
        try
        {
            var context = Directory.CreateDirectory(Path.Combine(root.FullName, "context"));
            await File.WriteAllTextAsync(Path.Combine(context.FullName, "Dockerfile"), "ARG X=1\n", TestContext.Current.CancellationToken);
            var error = new StringWriter();
            int code = await CliApp.RunAsync(["--root", Path.Combine(root.FullName, "store"), "build", context.FullName], new StringWriter(), error, _ => null, TestContext.Current.CancellationToken);
            Assert.Equal(CliApp.Failure, code);
            Assert.Single(error.ToString().Trim().Split('\n'));
            Assert.Contains("no FROM instruction", error.ToString());
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
