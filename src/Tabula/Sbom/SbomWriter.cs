using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Tabula.Sbom;

/// <summary>
/// Writes an <see cref="ImageInventory"/> as an SPDX 2.3 or CycloneDX 1.6 JSON document. Nothing in it depends on
/// when or where it is written: the timestamp is the subject's, the document's namespace and serial number are
/// derived from the image ID and the format, and every list is sorted; the same image gives the same bytes.
/// </summary>
internal static class SbomWriter
{
    public static byte[] Write(SbomFormat format, SbomSubject subject, ImageInventory inventory)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(inventory);
        var bytes = format == SbomFormat.SpdxJson
            ? JsonSerializer.SerializeToUtf8Bytes(Spdx(subject, inventory), SbomJsonContext.Readable.SpdxDocument)
            : JsonSerializer.SerializeToUtf8Bytes(CycloneDx(subject, inventory), SbomJsonContext.Readable.CycloneDxBom);
        return [.. bytes, (byte)'\n'];
    }

    private static SpdxDocument Spdx(SbomSubject subject, ImageInventory inventory)
    {
        var references = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var packages = new List<SpdxPackage>
        {
            new() { Name = subject.Name, SpdxId = "SPDXRef-Image", VersionInfo = subject.ImageId.ToString(), PrimaryPackagePurpose = "CONTAINER" },
        };
        var relationships = new List<SpdxRelationship> { new("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image") };
        if (inventory.Os is { } os)
        {
            packages.Add(new SpdxPackage { Name = os.Id, SpdxId = "SPDXRef-OperatingSystem", VersionInfo = os.VersionId, Description = os.PrettyName, PrimaryPackagePurpose = "OPERATING_SYSTEM" });
            relationships.Add(new("SPDXRef-Image", "CONTAINS", "SPDXRef-OperatingSystem"));
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var package in inventory.Packages)
        {
            var id = UniqueId($"SPDXRef-Package-{package.Type}-{package.Name}-{package.Architecture}", ids);
            packages.Add(new SpdxPackage
            {
                Name = package.Name,
                SpdxId = id,
                VersionInfo = package.Version,
                SourceInfo = package.SourceName is { } source ? $"built package from: {source} {package.SourceVersion ?? package.Version}" : null,
                LicenseDeclared = LicenseNames.Expression(package.Licenses, references),
                ExternalRefs = [new SpdxExternalRef("PACKAGE-MANAGER", "purl", package.PackageUrl(inventory.Os))],
            });
            relationships.Add(new("SPDXRef-Image", "CONTAINS", id));
        }
        return new SpdxDocument
        {
            Name = subject.Name,
            DocumentNamespace = $"urn:uuid:{StableUuid(subject, SbomFormat.SpdxJson)}",
            CreationInfo = new SpdxCreationInfo(subject.Timestamp, [$"Tool: tabula-{subject.ToolVersion}"]),
            Packages = packages,
            Relationships = relationships,
            ExtractedLicenses = references.Count == 0 ? null
                : [.. references.Select(r => new SpdxExtractedLicense(r.Key, r.Value, $"The license named \"{r.Value}\" in the package's metadata (its text is not part of this document)."))],
        };
    }

    private static CycloneDxBom CycloneDx(SbomSubject subject, ImageInventory inventory)
    {
        var components = new List<CycloneDxComponent>();
        if (inventory.Os is { } os)
            components.Add(new CycloneDxComponent { BomRef = $"os:{os.Id}@{os.VersionId}", Type = "operating-system", Name = os.Id, Version = os.VersionId, Description = os.PrettyName });
        var refs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var package in inventory.Packages)
        {
            var purl = package.PackageUrl(inventory.Os);
            var properties = new List<CycloneDxProperty> { new("tabula:package:database", package.Database) };
            if (package.SourceName is { } source) properties.Add(new("tabula:package:source", source));
            if (package.SourceVersion is { } sourceVersion) properties.Add(new("tabula:package:sourceVersion", sourceVersion));
            components.Add(new CycloneDxComponent
            {
                BomRef = UniqueRef(purl, refs),
                Type = "library",
                Name = package.Name,
                Version = package.Version,
                Licenses = package.Licenses.Count == 0 ? null
                    : [.. package.Licenses.Select(l => new CycloneDxLicenseChoice(LicenseNames.SpdxId(l) is { } id ? new CycloneDxLicense { Id = id } : new CycloneDxLicense { Name = l }))],
                Purl = purl,
                Properties = properties,
            });
        }
        var image = new CycloneDxComponent
        {
            BomRef = "image",
            Type = "container",
            Name = subject.Name,
            Version = subject.ImageId.ToString(),
            Hashes = [new CycloneDxHash("SHA-256", subject.ImageId.Encoded)],
        };
        return new CycloneDxBom
        {
            SerialNumber = $"urn:uuid:{StableUuid(subject, SbomFormat.CycloneDxJson)}",
            Metadata = new CycloneDxMetadata(subject.Timestamp, new CycloneDxTools([new CycloneDxComponent { Type = "application", Name = "tabula", Version = subject.ToolVersion }]), image),
            Components = components,
        };
    }

    /// <summary>An SPDX ID from letters, digits, '.' and '-' only (as the spec requires), made unique with a counter.</summary>
    private static string UniqueId(string wanted, HashSet<string> taken)
    {
        var id = new StringBuilder(wanted.Length);
        foreach (char c in wanted) id.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '-');
        var candidate = id.ToString().TrimEnd('-');
        for (int n = 2; !taken.Add(candidate); n++) candidate = $"{id.ToString().TrimEnd('-')}-{n}";
        return candidate;
    }

    private static string UniqueRef(string wanted, HashSet<string> taken)
    {
        var candidate = wanted;
        for (int n = 2; !taken.Add(candidate); n++) candidate = $"{wanted}#{n}";
        return candidate;
    }

    /// <summary>A version-5-shaped UUID from the image ID and the format: the same document always carries the same one.</summary>
    private static string StableUuid(SbomSubject subject, SbomFormat format)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"tabula-sbom\n{format.Name()}\n{subject.ImageId}\n{subject.Name}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }
}
