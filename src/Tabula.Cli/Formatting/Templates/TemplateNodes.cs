namespace Tabula.Cli.Formatting.Templates;

/// <summary>A piece of a parsed Go template.</summary>
internal abstract record TemplateNode;

internal sealed record TextNode(string Text) : TemplateNode;

/// <summary><c>{{pipeline}}</c>: prints the pipeline's value.</summary>
internal sealed record ActionNode(Pipeline Pipeline) : TemplateNode;

/// <summary><c>{{if}}</c>, <c>{{range}}</c> or <c>{{with}}</c> with its body and optional <c>{{else}}</c>.</summary>
internal sealed record BlockNode(BlockKind Kind, Pipeline Pipeline, IReadOnlyList<TemplateNode> Body, IReadOnlyList<TemplateNode> Else) : TemplateNode;

internal enum BlockKind { If, Range, With }

/// <summary>Commands joined by <c>|</c>: each command's value is passed as the last argument of the next.</summary>
internal sealed record Pipeline(IReadOnlyList<TemplateCommand> Commands);

/// <summary>A function call (<c>join .Tags ","</c>) or a single operand (<c>.Name</c>).</summary>
internal sealed record TemplateCommand(IReadOnlyList<Operand> Operands);

internal abstract record Operand;

/// <summary><c>.</c> or a chain of fields from it (<c>.Config.Env</c>).</summary>
internal sealed record FieldOperand(IReadOnlyList<string> Names) : Operand;

internal sealed record LiteralOperand(object? Value) : Operand;

internal sealed record FunctionOperand(string Name) : Operand;

/// <summary>A parenthesised pipeline, optionally followed by fields: <c>(index .Items 0).Name</c>.</summary>
internal sealed record NestedOperand(Pipeline Pipeline, IReadOnlyList<string> Fields) : Operand;
