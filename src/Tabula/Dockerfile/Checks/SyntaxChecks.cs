using Tabula.Dockerfile.Syntax;

namespace Tabula.Dockerfile.Checks;

/// <summary>
/// The checks BuildKit makes while parsing, before anything is expanded or built: they see every stage, built or not,
/// and a Dockerfile that fails to parse still gets the warnings of the instructions above the fault.
/// </summary>
internal static class SyntaxChecks
{
    private static readonly HashSet<string> ReservedStageNames = new(StringComparer.Ordinal) { "context", "scratch" };

    /// <summary>Empty continuation lines, and the rules of single instructions starting before <paramref name="beforeLine"/>.</summary>
    public static void CheckNodes(SyntaxTree tree, CheckReport report, int beforeLine = int.MaxValue)
    {
        foreach (var warning in tree.Warnings.Where(w => w.Line < beforeLine))
            report.Report(CheckRules.NoEmptyContinuation, new SourceLocation(tree.FileName, warning.Line, warning.Line), CheckRules.NoEmptyContinuationMessage());
        foreach (var node in tree.Nodes.Where(n => n.Range.StartLine < beforeLine))
            CheckNode(node, new SourceLocation(tree.FileName, node.Range), report);
    }

    private static void CheckNode(SyntaxNode node, SourceLocation location, CheckReport report)
    {
        switch (node.Keyword.ToLowerInvariant())
        {
            case "maintainer":
                report.Report(CheckRules.MaintainerDeprecated, location, CheckRules.MaintainerDeprecatedMessage(), node.Comments);
                break;
            case "from":
                var args = node.Arguments;
                if (args.Count == 3 && !IsLower(args[2]))
                    report.Report(CheckRules.StageNameCasing, location, CheckRules.StageNameCasingMessage(args[2]), node.Comments);
                // A FROM of mixed case is ConsistentInstructionCasing's; its AS is not judged against it.
                if (args.Count >= 3 && IsSelfConsistent(node.Keyword) && !(IsLower(node.Keyword) ? IsLower(args[1]) : IsUpper(args[1])))
                    report.Report(CheckRules.FromAsCasing, location, CheckRules.FromAsCasingMessage(node.Keyword, args[1]), node.Comments);
                if (args.Count == 3)
                    CheckDescription("FROM", [args[2].ToLowerInvariant()], node, location, report);
                break;
            case "arg":
                CheckDescription("ARG", node.Arguments.Select(a => a.Split('=', 2)[0]).ToList(), node, location, report);
                break;
        }
    }

    /// <summary>A comment right above a stage or ARG describes it only when its first word is the name (InvalidDefinitionDescription).</summary>
    private static void CheckDescription(string instruction, IReadOnlyList<string> names, SyntaxNode node, SourceLocation location, CheckReport report)
    {
        if (node.Comments.Count == 0 || names.Count == 0) return;
        if (names.Contains(node.Comments[^1].Split(' ')[0])) return;
        var example = names.Count > 1 ? "<arg_key>" : names[0];
        report.Report(CheckRules.InvalidDefinitionDescription, location, CheckRules.InvalidDefinitionDescriptionMessage(instruction, example), node.Comments);
    }

    /// <summary>Stage names that repeat or are reserved, and instruction keywords whose case differs from the majority's.</summary>
    public static void CheckStages(DockerfileDocument document, CheckReport report)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var stage in document.Stages)
        {
            if (stage.Name is not { } name) continue;
            if (ReservedStageNames.Contains(name))
                report.Report(CheckRules.ReservedStageName, stage.Location, CheckRules.ReservedStageNameMessage(name));
            if (!names.Add(name))
                report.Report(CheckRules.DuplicateStageName, stage.Location, CheckRules.DuplicateStageNameMessage(name));
        }

        // Keywords as written, of the stages' instructions only (not the meta-ARGs above the first FROM), as BuildKit counts them.
        var nodes = document.Syntax.Nodes.ToDictionary(n => n.Range.StartLine);
        var keywords = document.Stages
            .SelectMany(s => s.Instructions.Prepend(s.From))
            .Select(i => (Keyword: nodes.TryGetValue(i.Location.StartLine, out var node) ? node.Keyword : i.Keyword, i.Location))
            .ToList();
        var lower = keywords.Count(k => IsLower(k.Keyword));
        var upper = keywords.Count(k => IsSelfConsistent(k.Keyword)) - lower;
        var majorityLower = lower > upper;
        foreach (var (keyword, location) in keywords)
        {
            if (majorityLower ? !IsLower(keyword) : !IsUpper(keyword))
                report.Report(CheckRules.ConsistentInstructionCasing, location, CheckRules.ConsistentInstructionCasingMessage(keyword, majorityLower ? "lowercase" : "uppercase"));
        }
    }

    private static bool IsSelfConsistent(string word) => IsLower(word) || IsUpper(word);

    private static bool IsLower(string word) => !word.Any(char.IsUpper);

    private static bool IsUpper(string word) => !word.Any(char.IsLower);
}
