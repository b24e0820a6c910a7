namespace Tabula.Cli;

/// <summary>
/// What docker users type that tabula spells differently: docker's management commands (<c>image ls</c>,
/// <c>container run</c>, <c>system df</c>, <c>buildx build</c>), <c>version</c> and <c>help</c> are rewritten to
/// tabula's verbs; docker's <c>run</c> flags that tabula does not have are refused by name with what to do instead;
/// an unknown verb gets a "did you mean".
/// </summary>
public static class DockerHabits
{
    private static readonly Dictionary<string, Dictionary<string, string>> ManagementCommands = new(StringComparer.Ordinal)
    {
        ["image"] = new(StringComparer.Ordinal)
        {
            ["ls"] = "images", ["list"] = "images", ["rm"] = "rmi", ["remove"] = "rmi", ["inspect"] = "inspect", ["history"] = "history",
            ["tag"] = "tag", ["save"] = "save", ["load"] = "load", ["pull"] = "pull", ["push"] = "push", ["prune"] = "prune", ["build"] = "build",
        },
        ["container"] = new(StringComparer.Ordinal) { ["run"] = "run", ["export"] = "export" },
        ["system"] = new(StringComparer.Ordinal) { ["df"] = "df", ["prune"] = "prune" },
        ["buildx"] = new(StringComparer.Ordinal) { ["build"] = "build" },
        ["builder"] = new(StringComparer.Ordinal) { ["build"] = "build" },
    };

    /// <summary>Global options that take a value (so the verb is found after them).</summary>
    private static readonly HashSet<string> GlobalValueOptions = new(StringComparer.Ordinal) { "--root", "--timeout" };

    private static readonly (string[] Flags, string Instead)[] UnsupportedRunFlags =
    [
        (["-t", "--tty"], "the container's output is passed through without a terminal; leave -t out (-i keeps stdin attached)"),
        (["-d", "--detach"], "containers run in the foreground and are removed when they exit; put the command in the background with your shell if you need to"),
        (["-p", "--publish", "-P", "--publish-all"], "the container uses the host's network by default (--network host), so its ports are the host's"),
        (["-v", "--volume", "--mount"], "mounting host folders into a container is not supported yet"),
        (["--name"], "containers are anonymous and removed when they exit"),
        (["--privileged"], "containers run with docker's default capabilities only"),
    ];

    /// <summary>Where the verb is: the first word that is not a global option or its value; -1 when there is none.</summary>
    public static int VerbIndex(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        for (int i = 0; i < args.Length; i++)
        {
            if (GlobalValueOptions.Contains(args[i])) i++;
            else if (!args[i].StartsWith('-')) return i;
        }
        return -1;
    }

    /// <summary>docker's spellings turned into tabula's.</summary>
    public static string[] Rewrite(string[] args)
    {
        int at = VerbIndex(args);
        if (at < 0) return args;
        var verb = args[at];
        if (verb == "version") return ["--version"]; // --version stands alone; the global options mean nothing to it
        if (verb == "help") return at + 1 < args.Length ? [.. args[..at], .. args[(at + 1)..], "--help"] : [.. args[..at], "--help"];
        if (ManagementCommands.TryGetValue(verb, out var commands) && at + 1 < args.Length && commands.TryGetValue(args[at + 1], out var tabulaVerb))
            return [.. args[..at], tabulaVerb, .. args[(at + 2)..]];
        return args;
    }

    /// <summary>A docker <c>run</c> flag tabula refuses, with why and what to do; null when there is none.</summary>
    public static string? UnsupportedRunFlag(string[] args)
    {
        int at = VerbIndex(args);
        if (at < 0 || args[at] != "run") return null;
        for (int i = at + 1; i < args.Length && args[i] != "--"; i++)
        {
            var word = args[i];
            if (!word.StartsWith('-')) break; // the image: what follows is the container's command
            var name = word.Split('=')[0];
            var flags = name.StartsWith("--", StringComparison.Ordinal) || name.Length == 2 ? [name] : name[1..].Select(c => "-" + c).ToArray(); // -it is -i -t
            foreach (var flag in flags)
                foreach (var (names, instead) in UnsupportedRunFlags)
                    if (names.Contains(flag)) return $"'tabula run' has no {string.Join("/", names)}: {instead}";
            if (Verbs.RunArguments.TakesValue(name) && !word.Contains('=', StringComparison.Ordinal)) i++;
        }
        return null;
    }

    /// <summary>The verb among <paramref name="verbs"/> closest to a mistyped one (edit distance at most 2), or null.</summary>
    public static string? DidYouMean(string typed, IEnumerable<string> verbs)
    {
        ArgumentNullException.ThrowIfNull(typed);
        return verbs.Select(v => (Verb: v, Distance: Distance(typed, v))).Where(x => x.Distance <= 2).OrderBy(x => x.Distance).Select(x => x.Verb).FirstOrDefault();
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours.</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
