using Tabula.Cli;

namespace Tabula.Tests.Integration.Support;

/// <summary>The command line run in this process over the store at a root, its output captured.</summary>
internal static class InProcessCli
{
    public static async Task<(int Code, string Out, string Err)> RunAsync(string root, string[] args, CancellationToken cancellationToken)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CliApp.RunAsync(["--root", root, .. args], output, error, _ => null, cancellationToken);
        return (code, output.ToString(), error.ToString());
    }
}
