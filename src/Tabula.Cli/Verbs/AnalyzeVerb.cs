using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Tabula.Analysis;
using Tabula.Cli.Formatting;

namespace Tabula.Cli.Verbs;

/// <summary><c>tabula analyze IMAGE</c>: each layer's sizes and changes, the image's wasted space and efficiency (as dive reckons them), its biggest files and directories; <c>--ci</c> checks dive's rules.</summary>
internal static class AnalyzeVerb
{
    public static Command Create(CliContext context)
    {
        var imageArg = new Argument<string>("IMAGE") { Description = ImageArguments.Description };
        var top = new Option<int>("--top") { Description = "How many of the biggest files, directories, repeated paths and duplicates to list", DefaultValueFactory = _ => 10 };
        var format = ImageArguments.FormatOption();
        var ci = new Option<bool>("--ci") { Description = "Check the image against dive's rules: exit 1 with one line per failed rule (defaults: --lowest-efficiency 0.9, --highest-user-wasted-percent 0.1)" };
        var lowest = new Option<string?>("--lowest-efficiency") { Description = "With --ci: fail when the efficiency is below this (0 to 1, or 'disabled')" };
        var wasted = new Option<string?>("--highest-wasted-bytes") { Description = "With --ci: fail when more bytes than this are wasted (e.g. 20MB, or 'disabled')" };
        var userWasted = new Option<string?>("--highest-user-wasted-percent") { Description = "With --ci: fail when wasted bytes over the bytes of the layers above the first exceed this (0 to 1, or 'disabled')" };
        var ciConfig = new Option<string?>("--ci-config") { Description = "With --ci: a dive .dive-ci file of rules (default: .dive-ci in the current directory, when there is one); flags win over it" };
        var image = new ImageArguments();
        var command = new Command("analyze", "Show what each layer of an image holds and changes, and the space it wastes") { imageArg, top, format, ci, lowest, wasted, userWasted, ciConfig };
        image.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var json = ImageArguments.IsJson(parse.GetValue(format));
            int count = parse.GetValue(top);
            if (count < 0) throw new UsageException("--top must be 0 or more");
            AnalysisThresholds? thresholds = null;
            if (parse.GetValue(ci))
            {
                var d = AnalysisThresholds.Default;
                var file = await ReadConfigAsync(parse.GetValue(ciConfig), ct);
                thresholds = new AnalysisThresholds(
                    Threshold(parse.GetValue(lowest) ?? file?.LowestEfficiency, d.LowestEfficiency, v => Ratio(v, "--lowest-efficiency")),
                    Threshold(parse.GetValue(wasted) ?? file?.HighestWastedBytes, d.HighestWastedBytes, v => ByteSizeText.Parse(v, "--highest-wasted-bytes")),
                    Threshold(parse.GetValue(userWasted) ?? file?.HighestUserWastedPercent, d.HighestUserWastedPercent, v => Ratio(v, "--highest-user-wasted-percent")));
            }
            else if (parse.GetValue(lowest) is not null || parse.GetValue(wasted) is not null || parse.GetValue(userWasted) is not null || parse.GetValue(ciConfig) is not null)
            {
                throw new UsageException("--lowest-efficiency, --highest-wasted-bytes, --highest-user-wasted-percent and --ci-config are for --ci; add --ci");
            }

            var name = parse.GetValue(imageArg)!;
            using var opened = await image.Sources(parse, context).OpenAsync(ImageArguments.Location(name), image.ChosenPlatform(parse), ct);
            var analysis = await ImageAnalyzer.AnalyzeAsync(opened.Image, count, ct);
            var failures = thresholds is null ? null : AnalysisGate.Failures(analysis, thresholds);
            if (json)
                context.Out.WriteLine(JsonSerializer.Serialize(AnalysisJsonContext.From(name, analysis, failures), AnalysisJsonContext.Readable.AnalyzeJson));
            else if (failures is null)
                AnalysisText.Write(context.Out, name, analysis);
            else
            {
                AnalysisText.WriteSummary(context.Out, analysis);
                foreach (var failure in failures) context.Out.WriteLine("FAIL: " + failure);
                if (failures.Count == 0) context.Out.WriteLine("PASS: every rule");
            }
            return failures is { Count: > 0 } ? CliApp.Failure : CliApp.Ok;
        });
        return command;
    }

    /// <summary>The rules file named, else <c>.dive-ci</c> here when there is one (as dive reads it), else none.</summary>
    private static async Task<DiveCiConfig?> ReadConfigAsync(string? path, CancellationToken cancellationToken)
    {
        if (path is null && !File.Exists(".dive-ci")) return null;
        path ??= ".dive-ci";
        if (!File.Exists(path)) throw new UsageException($"--ci-config {path}: no such file");
        return DiveCiConfig.Parse(await File.ReadAllTextAsync(path, cancellationToken), path);
    }

    /// <summary>A rule's value: the flag when given ('disabled', 'off', 'false' or empty turn it off, as in dive), else the default.</summary>
    private static T? Threshold<T>(string? flag, T? fallback, Func<string, T> parse) where T : struct
    {
        if (flag is null) return fallback;
        return flag.Trim().ToLowerInvariant() is "" or "disabled" or "off" or "false" ? null : parse(flag);
    }

    private static double Ratio(string text, string flag)
        => double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 1
            ? value
            : throw new UsageException($"{flag} '{text}': give a ratio from 0 to 1 (0.9 is 90%), or 'disabled'");
}
