namespace Tabula.Sbom;

/// <summary>
/// What the final image shows at one path the package scan keeps: the bytes of a small database file, the licenses
/// of a Debian copyright file (read as it streamed, never kept whole), or a symlink's target.
/// </summary>
internal sealed record PackageFile(int Layer, byte[]? Content = null, IReadOnlyList<string>? Licenses = null, string? LinkTarget = null);
