using System.Text;
using System.Text.Json;

namespace Tabula.Cli.Formatting.Templates;

/// <summary>
/// A docker-style <c>--format</c> template: Go template syntax over the JSON shape of what a verb prints (the same
/// field names as its <c>--format json</c>), or <c>table …</c> for a header row and tab-aligned columns.
/// </summary>
public sealed class GoTemplate
{
    private readonly IReadOnlyList<TemplateNode> _nodes;

    private GoTemplate(IReadOnlyList<TemplateNode> nodes, bool isTable)
    {
        _nodes = nodes;
        IsTable = isTable;
    }

    /// <summary>Started with the <c>table</c> directive: print a header row and align the columns.</summary>
    public bool IsTable { get; }

    public static GoTemplate Parse(string text)
    {
        bool table = text.StartsWith("table ", StringComparison.Ordinal) || text.StartsWith("table\t", StringComparison.Ordinal);
        // Docker reads the escape sequences people type in shells that do not expand them.
        var body = (table ? text[6..] : text).Replace("\\t", "\t", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal);
        return new GoTemplate(TemplateParser.Parse(body), table);
    }

    public string Render(JsonElement data)
    {
        var output = new StringBuilder();
        Run(_nodes, TemplateValues.FromJson(data), output);
        return output.ToString();
    }

    /// <summary>
    /// The header row of a table: each field the template prints is replaced by its column name (from
    /// <paramref name="headers"/>, else the field name in capitals), as docker renders the template over its header map.
    /// </summary>
    public string RenderHeader(IReadOnlyDictionary<string, string> headers)
    {
        var names = FieldsOf(_nodes).Distinct().ToDictionary(f => f, f => headers.TryGetValue(f, out var h) ? h : f.ToUpperInvariant());
        return Render(JsonSerializer.SerializeToElement(names, TemplateJsonContext.Default.DictionaryStringString));
    }

    private static IEnumerable<string> FieldsOf(IEnumerable<TemplateNode> nodes)
    {
        foreach (var node in nodes)
        {
            var pipelines = node switch
            {
                ActionNode action => [action.Pipeline],
                BlockNode block => [block.Pipeline],
                _ => Array.Empty<Pipeline>(),
            };
            foreach (var pipeline in pipelines)
                foreach (var command in pipeline.Commands)
                    foreach (var operand in command.Operands)
                        if (operand is FieldOperand { Names.Count: > 0 } field) yield return field.Names[0];
            if (node is BlockNode b)
                foreach (var inner in FieldsOf(b.Body.Concat(b.Else))) yield return inner;
        }
    }

    private static void Run(IReadOnlyList<TemplateNode> nodes, object? dot, StringBuilder output)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case TextNode text:
                    output.Append(text.Text);
                    break;
                case ActionNode action:
                    output.Append(TemplateValues.Print(Evaluate(action.Pipeline, dot)));
                    break;
                case BlockNode block:
                    RunBlock(block, dot, output);
                    break;
            }
        }
    }

    private static void RunBlock(BlockNode block, object? dot, StringBuilder output)
    {
        var value = Evaluate(block.Pipeline, dot);
        switch (block.Kind)
        {
            case BlockKind.If:
                Run(TemplateValues.IsTrue(value) ? block.Body : block.Else, dot, output);
                break;
            case BlockKind.With:
                if (TemplateValues.IsTrue(value)) Run(block.Body, value, output);
                else Run(block.Else, dot, output);
                break;
            case BlockKind.Range:
                var items = TemplateValues.Items(value);
                if (items.Count == 0) Run(block.Else, dot, output);
                foreach (var item in items) Run(block.Body, item, output);
                break;
        }
    }

    private static object? Evaluate(Pipeline pipeline, object? dot)
    {
        object? piped = null;
        bool hasPiped = false;
        foreach (var command in pipeline.Commands)
        {
            piped = EvaluateCommand(command, dot, hasPiped ? piped : null, hasPiped);
            hasPiped = true;
        }
        return piped;
    }

    private static object? EvaluateCommand(TemplateCommand command, object? dot, object? piped, bool hasPiped)
    {
        if (command.Operands[0] is FunctionOperand function)
        {
            if (!TemplateFunctions.Exists(function.Name)) throw new TemplateException($"template: function \"{function.Name}\" not defined");
            var args = command.Operands.Skip(1).Select(o => EvaluateOperand(o, dot)).ToList();
            if (hasPiped) args.Add(piped);
            return TemplateFunctions.Call(function.Name, args);
        }
        if (command.Operands.Count > 1 || hasPiped)
            throw new TemplateException("template: can't give argument to non-function");
        return EvaluateOperand(command.Operands[0], dot);
    }

    private static object? EvaluateOperand(Operand operand, object? dot) => operand switch
    {
        LiteralOperand literal => literal.Value,
        FieldOperand field => field.Names.Aggregate(dot, TemplateValues.Field),
        NestedOperand nested => nested.Fields.Aggregate(Evaluate(nested.Pipeline, dot), TemplateValues.Field),
        FunctionOperand function => TemplateFunctions.Exists(function.Name)
            ? TemplateFunctions.Call(function.Name, [])
            : throw new TemplateException($"template: function \"{function.Name}\" not defined"),
        _ => throw new TemplateException("template: unknown operand"),
    };
}
