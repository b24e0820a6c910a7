using System.Formats.Tar;
using System.Text;
using System.Text.Json;
using Tabula.Sbom;
using Tabula.Tests.Analysis;
using Tabula.Tests.Archives;
using Tabula.Transports;
using static Tabula.Tests.Analysis.TarItems;

namespace Tabula.Tests.Sbom;

/// <summary>
/// The SBOM of an image made in code whose later layers change the package databases: what the final image shows is
/// listed (a replaced dpkg status, a whited-out apk database, a deleted copyright file), with purls, licenses and
/// the OS; both documents validate against their official schemas and are the same bytes every time.
/// </summary>
public class ImageSbomTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string OsRelease = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n";

    private static string Status(params (string Name, string Version, string Status, string? Source)[] packages)
        => string.Concat(packages.Select(p => $"Package: {p.Name}\nStatus: {p.Status}\nArchitecture: amd64\n{(p.Source is null ? "" : $"Source: {p.Source}\n")}Version: {p.Version}\nDescription: x\n continued\n\n"));

    private const string Copyright = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: someone\nLicense: GPL-2+\n text\n\nFiles: b/*\nLicense: Expat\n\nLicense: some-custom\n";

    internal static readonly byte[][] Layers =
    [
        Tar(
            new TarItem("etc/os-release", Type: TarEntryType.SymbolicLink, Link: "../usr/lib/os-release"),
            new TarItem("usr/lib/os-release", OsRelease),
            new TarItem("var/lib/dpkg/status", Status(("libc6", "2.36-9", "install ok installed", "glibc"), ("gone", "1.0", "install ok installed", null))),
            new TarItem("usr/share/doc/libc6/copyright", Copyright),
            new TarItem("usr/share/doc/gone/copyright", Copyright),
            new TarItem("lib/apk/db/installed", "P:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\no:musl\n\n")),
        Tar(
            new TarItem("var/lib/dpkg/status", Status(("libc6", "2.36-9", "install ok installed", "glibc"), ("bash", "1:5.2-2", "install ok installed", "bash (5.2-1)"),
                ("removed", "1.0", "deinstall ok config-files", null))),
            new TarItem("usr/share/doc/bash", Type: TarEntryType.SymbolicLink, Link: "libc6"),
            new TarItem("usr/share/doc/.wh.gone"),
            new TarItem("lib/apk/db/.wh.installed"),
            new TarItem("var/lib/dpkg/status.d/distroless", "Package: distroless\nVersion: 3\nArchitecture: all\n"),
            new TarItem("var/lib/dpkg/status.d/distroless.md5sums", "0 /x\n")),
    ];

    private static async Task<byte[]> SbomAsync(ArchiveFixture fixture, SbomFormat format)
    {
        var store = ImageStore.Open(fixture.Store.Root);
        var image = await store.LoadAsync(await store.Resolver.ResolveAsync("pkgs:1", Ct), null, Ct);
        return await ImageSbom.CreateAsync(image, "pkgs:1", format, DateTimeOffset.FromUnixTimeSeconds(1700000000), Ct);
    }

    [Fact]
    public async Task The_final_images_packages_are_listed_with_purls_licenses_and_the_os()
    {
        using var fixture = new ArchiveFixture();
        await fixture.AddImageFromTarsAsync(["pkgs:1"], "sh", null, Layers);

        var spdx = await SbomAsync(fixture, SbomFormat.SpdxJson);
        using var doc = JsonDocument.Parse(spdx);
        var packages = doc.RootElement.GetProperty("packages").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);

        Assert.Equal(["bash", "debian", "distroless", "libc6", "pkgs:1"], packages.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("12", packages["debian"].GetProperty("versionInfo").GetString());
        Assert.Equal("pkg:deb/debian/bash@1%3A5.2-2?arch=amd64&distro=debian-12&upstream=bash%405.2-1",
            packages["bash"].GetProperty("externalRefs")[0].GetProperty("referenceLocator").GetString());
        Assert.Equal("pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12&upstream=glibc",
            packages["libc6"].GetProperty("externalRefs")[0].GetProperty("referenceLocator").GetString());
        // Sorted by the names as written (Expat, GPL-2+, some-custom); bash's doc folder is a link to libc6's, so the same licenses.
        Assert.Equal("MIT AND GPL-2.0-or-later AND LicenseRef-some-custom", packages["libc6"].GetProperty("licenseDeclared").GetString());
        Assert.Equal("MIT AND GPL-2.0-or-later AND LicenseRef-some-custom", packages["bash"].GetProperty("licenseDeclared").GetString());
        Assert.Equal("NOASSERTION", packages["distroless"].GetProperty("licenseDeclared").GetString());
        Assert.Equal("2023-11-14T22:13:20Z", doc.RootElement.GetProperty("creationInfo").GetProperty("created").GetString());
        Assert.Equal(["LicenseRef-some-custom"], doc.RootElement.GetProperty("hasExtractedLicensingInfos").EnumerateArray().Select(l => l.GetProperty("licenseId").GetString()));
        SbomSchemas.AssertValid("spdx-2.3.schema.json", Encoding.UTF8.GetString(spdx));

        var cyclonedx = await SbomAsync(fixture, SbomFormat.CycloneDxJson);
        using var bom = JsonDocument.Parse(cyclonedx);
        var components = bom.RootElement.GetProperty("components").EnumerateArray().ToList();
        Assert.Equal(["debian", "bash", "distroless", "libc6"], components.Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(["MIT", "GPL-2.0-or-later", null], components[3].GetProperty("licenses").EnumerateArray()
            .Select(l => l.GetProperty("license").TryGetProperty("id", out var id) ? id.GetString() : null));
        SbomSchemas.AssertValid("bom-1.6.schema.json", Encoding.UTF8.GetString(cyclonedx));

        // Same image, same bytes.
        Assert.Equal(spdx, await SbomAsync(fixture, SbomFormat.SpdxJson));
        Assert.Equal(cyclonedx, await SbomAsync(fixture, SbomFormat.CycloneDxJson));
    }

    [Fact]
    public async Task An_alpine_database_gives_apk_packages_with_their_license_field()
    {
        using var fixture = new ArchiveFixture();
        await fixture.AddImageFromTarsAsync(["pkgs:1"], "sh", null,
            Tar(new TarItem("etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\n"),
                new TarItem("lib/apk/db/installed", "C:Q1x\nP:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\no:musl\n\nP:busybox\nV:1.36.1-r15\nA:x86_64\nL:GPL-2.0-only\no:busybox\n")));

        using var bom = JsonDocument.Parse(await SbomAsync(fixture, SbomFormat.CycloneDxJson));
        var components = bom.RootElement.GetProperty("components").EnumerateArray().ToList();
        Assert.Equal(["alpine", "busybox", "musl"], components.Select(c => c.GetProperty("name").GetString()));
        Assert.Equal("pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1", components[1].GetProperty("purl").GetString());
        Assert.Equal("GPL-2.0-only", components[1].GetProperty("licenses")[0].GetProperty("license").GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("GPL-2+ or Artistic", "GPL-2.0-or-later OR LicenseRef-Artistic")]
    [InlineData("MIT AND (BSD-3-Clause OR Zlib)", "MIT AND (BSD-3-Clause OR Zlib)")]
    [InlineData("GPL-3+ with Bison exception", "LicenseRef-GPL-3-or-later-with-Bison-exception")]
    [InlineData("lgpl-2.1", "LGPL-2.1-only")]
    public void License_names_become_spdx_expressions(string name, string expected)
        => Assert.Equal(expected, LicenseNames.Convert(name, new Dictionary<string, string>()));
}
