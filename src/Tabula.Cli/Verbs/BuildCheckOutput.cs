using System.CommandLine;
using Tabula.Build;
using Tabula.Dockerfile.Checks;

namespace Tabula.Cli.Verbs;

/// <summary>
/// <c>tabula build --check</c> and the build checks' warnings after a build, printed the way <c>docker buildx build</c>
/// prints them (<c>--call=check</c> and its warning summary).
/// </summary>
internal static class BuildCheckOutput
{
    public static Option<bool> Option() => new("--check")
    {
        Description = "Only run the build checks (Dockerfile lint rules) and print their warnings; exit 1 on any warning, build nothing",
    };

    /// <summary>Prints what the checks found; exit 1 when there is a warning, and the error a build would stop at is thrown after them.</summary>
    public static async Task<int> RunAsync(Builder builder, BuildOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var result = await builder.CheckAsync(options, cancellationToken);
        var count = result.Warnings.Count;
        if (count > 0) output.WriteLine(count == 1 ? "Check complete, 1 warning has been found!" : $"Check complete, {count} warnings have been found!");
        foreach (var warning in result.Warnings)
        {
            output.WriteLine();
            output.WriteLine(warning.Rule.Url is { } url ? $"WARNING: {warning.RuleName} - {url}" : $"WARNING: {warning.RuleName}");
            output.WriteLine(warning.Detail);
            PrintSource(output, result.FileName, result.DockerfileText, warning.Location.StartLine, warning.Location.EndLine);
        }
        if (result.Error is { } error)
        {
            if (count > 0) output.WriteLine();
            throw error;
        }
        if (count == 0) output.WriteLine("Check complete, no warnings found.");
        return count > 0 ? CliApp.Failure : CliApp.Ok;
    }

    /// <summary>After a build: BuildKit's summary, one line per warning (the <c>WARN:</c> lines came with the progress).</summary>
    public static void PrintSummary(TextWriter output, IReadOnlyList<CheckWarning> warnings)
    {
        if (warnings.Count == 0) return;
        output.WriteLine();
        output.WriteLine(warnings.Count == 1 ? " 1 warning found:" : $" {warnings.Count} warnings found:");
        foreach (var warning in warnings) output.WriteLine($" - {warning.Short}");
    }

    /// <summary>BuildKit's source excerpt: the lines around the range, those in it marked <c>&gt;&gt;&gt;</c>.</summary>
    private static void PrintSource(TextWriter output, string fileName, string text, int start, int end)
    {
        var lines = text.Split('\n');
        if (start < 1 || start > lines.Length) return;
        end = Math.Min(Math.Max(start, end), lines.Length);
        var (first, last) = (start, end);
        var pad = start == end ? 4 : 2;
        for (var p = 0; p < pad; p++)
        {
            if (first > 1) { first--; p++; }
            if (last != lines.Length) { last++; p++; }
        }
        output.WriteLine($"{fileName}:{start}");
        output.WriteLine("--------------------");
        for (var i = first; i <= last; i++)
            output.WriteLine($" {i,3} | {(i >= start && i <= end ? ">>>" : "   ")} {lines[i - 1]}");
        output.WriteLine("--------------------");
    }
}
