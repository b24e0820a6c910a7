using Tabula.Dockerfile.Syntax;

namespace Tabula.Dockerfile.Instructions;

/// <summary>ADD and COPY: their flags, and sources split into paths and heredocs.</summary>
internal static class FileTransferParser
{
    public static AddInstruction ParseAdd(ParseRequest request)
    {
        var flags = request.Flags;
        var shared = SharedFlags.Declare(flags);
        var keepGitDir = flags.AddBool("keep-git-dir");
        var checksum = flags.AddString("checksum");
        var unpack = flags.AddBool("unpack");
        return new AddInstruction(request.Source, Parse(request, shared), checksum.ValueOrNull, keepGitDir.BoolOrNull, unpack.BoolOrNull);
    }

    public static CopyInstruction ParseCopy(ParseRequest request)
    {
        var flags = request.Flags;
        var shared = SharedFlags.Declare(flags);
        var from = flags.AddString("from");
        var parents = flags.AddBool("parents");
        return new CopyInstruction(request.Source, Parse(request, shared), from.ValueOrNull, parents.IsTrue);
    }

    /// <summary>Checks the arguments, reads every declared flag and splits the sources.</summary>
    private static FileTransfer Parse(ParseRequest request, SharedFlags shared)
    {
        RequireDestination(request);
        request.Flags.Parse();
        var (sources, inline, destination) = SplitSources(request);
        return new FileTransfer(sources, inline, destination, shared.Chown.ValueOrNull, shared.Chmod.ValueOrNull,
            shared.Link.IsTrue, shared.Excludes.Values);
    }

    private sealed record SharedFlags(InstructionFlag Chown, InstructionFlag Chmod, InstructionFlag Link, InstructionFlag Excludes)
    {
        public static SharedFlags Declare(InstructionFlags flags) =>
            new(flags.AddString("chown"), flags.AddString("chmod"), flags.AddBool("link"), flags.AddStrings("exclude"));
    }

    private static void RequireDestination(ParseRequest request)
    {
        if (request.Arguments.Count < 2)
            throw new InstructionError(
                $"{request.Keyword} requires at least two arguments, but only one was provided. Destination could not be determined");
    }

    private static (List<string> Sources, List<InlineSource> Inline, string Destination) SplitSources(ParseRequest request)
    {
        var destination = request.Arguments[^1];
        if (HeredocDetector.Parse(destination) is not null)
            throw new InstructionError($"{request.Keyword} cannot accept a heredoc as a destination");

        var bodies = new Dictionary<string, Heredoc>(StringComparer.Ordinal);
        foreach (var heredoc in request.Node.Heredocs)
            bodies[heredoc.Name] = heredoc;

        var sources = new List<string>();
        var inline = new List<InlineSource>();
        foreach (var source in request.Arguments.Take(request.Arguments.Count - 1))
        {
            if (HeredocDetector.Parse(source) is { } opener)
            {
                var content = bodies.TryGetValue(opener.Name, out var body) ? body.Content : "";
                if (opener.Chomp)
                    content = Heredoc.StripLeadingTabs(content);
                inline.Add(new InlineSource(opener.Name, content, opener.Expand));
            }
            else
            {
                sources.Add(source);
            }
        }
        return (sources, inline, destination);
    }
}
