namespace Tabula.Sbom;

/// <summary>
/// One package a package database lists as installed: <see cref="Type"/> is the purl type (<c>deb</c>, <c>apk</c>),
/// <see cref="Licenses"/> the license names as the metadata gives them (none when it gives none).
/// </summary>
internal sealed record InstalledPackage(string Type, string Name, string Version, string? Architecture, string? SourceName, string? SourceVersion,
    IReadOnlyList<string> Licenses, string Database)
{
    /// <summary>The package's purl in the OS it comes from (<c>pkg:deb/debian/bash@5.2.15-2+b2?arch=amd64&amp;distro=debian-12</c>).</summary>
    public string PackageUrl(OsRelease? os) => Sbom.PackageUrl.For(this, os);
}
