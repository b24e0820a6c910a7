namespace Tabula.Dockerfile.Instructions;

/// <summary>RUN, CMD, ENTRYPOINT and SHELL: instructions whose arguments are a command.</summary>
internal static class CommandParser
{
    private static readonly string[] NetworkModes = ["default", "none", "host"];
    private static readonly string[] SecurityModes = ["insecure", "sandbox"];

    public static CommandLine ParseCommandLine(ParseRequest request)
    {
        request.Flags.Parse();
        return CommandLine.FromArguments(request.Arguments, request.Node.IsJson);
    }

    public static RunInstruction ParseRun(ParseRequest request)
    {
        var flags = request.Flags;
        var mounts = flags.AddStrings("mount");
        var network = flags.AddString("network", "default");
        var security = flags.AddString("security", "sandbox");
        var devices = flags.AddStrings("device");
        flags.Parse();

        if (!NetworkModes.Contains(network.Value))
            throw new InstructionError($"invalid network mode \"{network.Value}\"");
        if (!SecurityModes.Contains(security.Value))
            throw new InstructionError($"security \"{security.Value}\" is not valid");

        return new RunInstruction(
            request.Source,
            CommandLine.FromArguments(request.Arguments, request.Node.IsJson),
            request.Node.Heredocs,
            mounts.Values,
            network.Value,
            security.Value,
            devices.Values,
            flags.Used.ToArray());
    }

    public static ShellInstruction ParseShell(ParseRequest request)
    {
        request.Flags.Parse();
        if (request.Arguments.Count == 0)
            throw new InstructionError("SHELL requires at least one argument");
        if (!request.Node.IsJson)
            throw new InstructionError("SHELL requires the arguments to be in JSON form");
        return new ShellInstruction(request.Source, request.Arguments);
    }
}
