using Tabula.Oci;

namespace Tabula.Build.Checks;

/// <summary>What the checks need of a base image: its environment, whether it sets a SHELL, and its platform.</summary>
internal sealed record BaseFacts(IReadOnlyList<string> Env, bool HasShell, Platform Platform);
