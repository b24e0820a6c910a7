using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Tabula.Oci;

/// <summary>
/// A docker image reference (<c>[registry/]repository[:tag][@digest]</c>) parsed and normalised as docker does:
/// <c>docker.io</c> is the default registry and <c>library/</c> is implied for one-component names there.
/// </summary>
public sealed partial record ImageReference
{
    public const string DefaultRegistry = "docker.io";
    public const string DefaultTag = "latest";
    private const string LegacyDefaultRegistry = "index.docker.io";

    public required string Registry { get; init; }
    public required string Repository { get; init; }
    public string? Tag { get; init; }
    public Digest? Digest { get; init; }

    /// <summary>Parses and normalises; a reference with neither tag nor digest gets <c>latest</c>.</summary>
    public static ImageReference Parse(string text)
    {
        var reference = ParseNamed(text);
        return reference.Tag is null && reference.Digest is null ? reference with { Tag = DefaultTag } : reference;
    }

    public static bool TryParse(string text, [NotNullWhen(true)] out ImageReference? reference)
    {
        if (!TryParseNamed(text, out reference)) return false;
        if (reference.Tag is null && reference.Digest is null) reference = reference with { Tag = DefaultTag };
        return true;
    }

    /// <summary>Parses without adding a default tag.</summary>
    public static ImageReference ParseNamed(string text)
        => Read(text, out var error) ?? throw new ReferenceFormatException(text, error!);

    /// <summary>Parses without adding a default tag; false (and no exception) when the text is no reference.</summary>
    public static bool TryParseNamed(string text, [NotNullWhen(true)] out ImageReference? reference)
    {
        reference = Read(text, out _);
        return reference is not null;
    }

    /// <summary>The reference, or null with the reason it is none (so the Try methods need no exception).</summary>
    private static ImageReference? Read(string text, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(text)) { error = "it is empty"; return null; }
        if (text.Length > 255 + 128 + 72) { error = "it is too long"; return null; }

        string rest = text;
        Digest? digest = null;
        int at = rest.IndexOf('@');
        if (at >= 0)
        {
            if (!Oci.Digest.TryParse(rest[(at + 1)..], out var parsed))
            {
                error = "the digest after '@' is not a valid sha256 digest";
                return null;
            }
            digest = parsed;
            rest = rest[..at];
        }

        string? tag = null;
        int lastColon = rest.LastIndexOf(':');
        if (lastColon > rest.LastIndexOf('/'))
        {
            tag = rest[(lastColon + 1)..];
            rest = rest[..lastColon];
            if (!TagPattern().IsMatch(tag)) { error = $"'{tag}' is not a valid tag"; return null; }
        }

        string registry, path;
        int slash = rest.IndexOf('/');
        string first = slash < 0 ? "" : rest[..slash];
        if (slash >= 0 && (first.Contains('.') || first.Contains(':') || first == "localhost" || first.Any(char.IsAsciiLetterUpper)))
        {
            registry = first;
            path = rest[(slash + 1)..];
        }
        else
        {
            registry = DefaultRegistry;
            path = rest;
        }
        if (registry == LegacyDefaultRegistry) registry = DefaultRegistry;
        if (registry == DefaultRegistry && !path.Contains('/')) path = "library/" + path;

        if (path.Any(char.IsAsciiLetterUpper)) { error = "repository name must be lowercase"; return null; }
        if (!PathPattern().IsMatch(path)) { error = $"'{path}' is not a valid repository name"; return null; }
        if (!DomainPattern().IsMatch(registry)) { error = $"'{registry}' is not a valid registry host"; return null; }
        if (path.Length > 255) { error = "repository name is longer than 255 characters"; return null; }

        return new ImageReference { Registry = registry, Repository = path, Tag = tag, Digest = digest };
    }

    /// <summary><c>registry/repository</c>, fully qualified.</summary>
    public string Name => $"{Registry}/{Repository}";

    /// <summary>The name as docker shows it: without <c>docker.io/</c> and <c>library/</c>.</summary>
    public string FamiliarName
    {
        get
        {
            if (Registry != DefaultRegistry) return Name;
            return Repository.StartsWith("library/", StringComparison.Ordinal) && Repository.IndexOf('/', 8) < 0 ? Repository[8..] : Repository;
        }
    }

    /// <summary>The full reference, e.g. <c>docker.io/library/alpine:3.19.1</c>.</summary>
    public override string ToString() => Name + Suffix;

    /// <summary>The reference as docker prints it, e.g. <c>alpine:3.19.1</c>.</summary>
    public string ToFamiliarString() => FamiliarName + Suffix;

    public ImageReference WithTag(string tag) => this with { Tag = tag };

    private string Suffix => (Tag is null ? "" : ":" + Tag) + (Digest is { } d ? "@" + d : "");

    [GeneratedRegex(@"^[\w][\w.-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*$")]
    private static partial Regex PathPattern();

    [GeneratedRegex(@"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$")]
    private static partial Regex DomainPattern();
}

/// <summary>An image reference that docker's grammar rejects.</summary>
public sealed class ReferenceFormatException(string reference, string reason)
    : FormatException($"invalid reference format '{reference}': {reason}")
{
    public string Reference { get; } = reference;
}
