namespace Tabula.Cli.Formatting.Templates;

/// <summary>A <c>--format</c> template that does not parse, or fails on the data it is given.</summary>
public sealed class TemplateException(string message) : Exception(message);
