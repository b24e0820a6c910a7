using Tabula.Dockerfile.Syntax;

namespace Tabula.Dockerfile.Instructions;

/// <summary><c>HEALTHCHECK NONE</c> or <c>HEALTHCHECK [flags] CMD …</c>, durations read as Go durations.</summary>
internal static class HealthcheckParser
{
    public static HealthcheckInstruction Parse(ParseRequest request)
    {
        request.RequireAtLeastOne();
        var flags = request.Flags;
        var interval = flags.AddString("interval");
        var timeout = flags.AddString("timeout");
        var startPeriod = flags.AddString("start-period");
        var startInterval = flags.AddString("start-interval");
        var retries = flags.AddString("retries");
        flags.Parse();

        var type = request.Arguments[0].ToUpperInvariant();
        var rest = request.Arguments.Skip(1).ToArray();
        if (type == "NONE")
        {
            if (rest.Length != 0)
                throw new InstructionError("HEALTHCHECK NONE takes no arguments");
            return new HealthcheckInstruction(request.Source,
                new HealthcheckConfig([type], GoDuration.Zero, GoDuration.Zero, GoDuration.Zero, GoDuration.Zero, 0));
        }
        if (type != "CMD")
            throw new InstructionError($"Unknown type {GoQuote.Quote(type)} in HEALTHCHECK (try CMD)");

        var command = CommandLine.FromArguments(rest, request.Node.IsJson);
        if (command.Arguments.Count == 0)
            throw new InstructionError("Missing command after HEALTHCHECK CMD");
        string[] test = [request.Node.IsJson ? "CMD" : "CMD-SHELL", .. command.Arguments];

        return new HealthcheckInstruction(request.Source, new HealthcheckConfig(
            test,
            Interval(interval),
            Interval(timeout),
            Interval(startPeriod),
            Interval(startInterval),
            retries.Value.Length == 0 ? 0 : InstructionParser.ParseInt32(retries.Value, "retries")));
    }

    /// <summary>Empty or zero means "not set"; anything else must be at least a millisecond.</summary>
    private static GoDuration Interval(InstructionFlag flag)
    {
        if (flag.Value.Length == 0)
            return GoDuration.Zero;
        GoDuration duration;
        try
        {
            duration = GoDuration.Parse(flag.Value);
        }
        catch (FormatException e)
        {
            throw new InstructionError(e.Message);
        }
        if (duration.Nanoseconds == 0)
            return GoDuration.Zero;
        if (duration.Nanoseconds < 1_000_000)
            throw new InstructionError($"Interval {GoQuote.Quote(flag.Name)} cannot be less than 1ms");
        return duration;
    }
}
