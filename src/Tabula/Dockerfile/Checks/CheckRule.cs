namespace Tabula.Dockerfile.Checks;

/// <summary>One of BuildKit's build checks (Dockerfile lint rules), under BuildKit's name so <c># check=skip=</c> lists work unchanged.</summary>
/// <param name="Name">BuildKit's rule name, e.g. <c>StageNameCasing</c>.</param>
/// <param name="Description">What the rule asks for, in BuildKit's words.</param>
/// <param name="Url">BuildKit's documentation page of the rule, if it has one.</param>
/// <param name="Experimental">Runs only when named in <c>experimental=</c>, whatever <c>skip=</c> says.</param>
public sealed record CheckRule(string Name, string Description, string? Url, bool Experimental = false);
