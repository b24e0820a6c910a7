using Tabula.Oci;

namespace Tabula.Build;

/// <summary>
/// A named build context (buildx's <c>--build-context NAME=VALUE</c>, BuildKit's <c>context:NAME</c>): what a
/// stage, a <c>FROM NAME</c>, a <c>COPY --from=NAME</c> or a <c>RUN --mount from=NAME</c> gets instead of what the
/// name would otherwise mean.
/// </summary>
public abstract record NamedContext
{
    /// <summary>
    /// buildx's values: <c>docker-image://REF</c> (<c>scratch</c> for an empty one), <c>oci-layout://DIR[:TAG|@DIGEST]</c>,
    /// or a local directory. Git and HTTP sources and <c>target:</c> (bake only) are refused.
    /// </summary>
    /// <exception cref="FormatException">A value tabula cannot use, with what to give instead.</exception>
    public static NamedContext Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.StartsWith("docker-image://", StringComparison.Ordinal))
        {
            var reference = value["docker-image://".Length..];
            if (reference == "scratch") return new ImageNamedContext(null);
            return ImageReference.TryParse(reference, out var parsed) && parsed is not null
                ? new ImageNamedContext(parsed)
                : throw new FormatException($"invalid --build-context value '{value}': '{reference}' is not an image reference");
        }
        if (value.StartsWith("oci-layout://", StringComparison.Ordinal)) return OciLayoutNamedContext.FromSpec(value["oci-layout://".Length..]);
        if (value.StartsWith("git@", StringComparison.Ordinal) || value.Contains("://", StringComparison.Ordinal) || value.StartsWith("target:", StringComparison.Ordinal))
            throw new FormatException($"--build-context value '{value}' is not supported: give a directory, docker-image://REF or oci-layout://DIR[:TAG|@DIGEST]");
        var directory = Path.GetFullPath(value);
        return Directory.Exists(directory)
            ? new LocalNamedContext(directory)
            : throw new FormatException($"--build-context value '{value}': no such directory (give a directory, docker-image://REF or oci-layout://DIR)");
    }

    /// <summary>
    /// The key a name is looked up by, as BuildKit's dockerui normalises it: an image name in its familiar form
    /// without <c>:latest</c> (<c>docker.io/library/busybox:latest</c> is <c>busybox</c>); null for a name that is
    /// no image name (BuildKit refuses those), and for <c>scratch</c> and <c>context</c>, which are never replaced.
    /// </summary>
    public static string? Key(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Equals("scratch", StringComparison.OrdinalIgnoreCase) || name.Equals("context", StringComparison.OrdinalIgnoreCase)) return null;
        if (!ImageReference.TryParse(name, out var reference) || reference is null) return null;
        var familiar = reference.ToFamiliarString();
        return familiar.EndsWith(":latest", StringComparison.Ordinal) ? familiar[..^":latest".Length] : familiar;
    }
}

/// <summary>An image from the store, or pulled from its registry; null: an empty image (<c>docker-image://scratch</c>).</summary>
public sealed record ImageNamedContext(ImageReference? Reference) : NamedContext;

/// <summary>An image of an OCI image layout directory, by tag (default <c>latest</c>) or by manifest digest.</summary>
public sealed record OciLayoutNamedContext(string Directory, string? Tag, Digest? Digest) : NamedContext
{
    /// <summary><c>DIR[:TAG|@DIGEST]</c>, as buildx splits it: a digest after the last <c>@</c>, a tag after a <c>:</c> past the last <c>/</c>.</summary>
    internal static OciLayoutNamedContext FromSpec(string text)
    {
        string directory = text;
        string? tag = null;
        Digest? digest = null;
        int at = text.LastIndexOf('@');
        if (at >= 0)
        {
            digest = Oci.Digest.TryParse(text[(at + 1)..], out var d) ? d
                : throw new FormatException($"invalid --build-context value 'oci-layout://{text}': '{text[(at + 1)..]}' is not a digest");
            directory = text[..at];
        }
        else if (text.LastIndexOf(':') is var colon and > 0 && colon > text.LastIndexOf('/'))
        {
            tag = text[(colon + 1)..];
            directory = text[..colon];
        }
        var full = Path.GetFullPath(directory.Length == 0 ? "." : directory);
        if (!File.Exists(Path.Combine(full, "index.json")))
            throw new FormatException($"--build-context value 'oci-layout://{text}': {directory} is not an OCI image layout (no index.json)");
        return new OciLayoutNamedContext(full, digest is null ? tag ?? "latest" : null, digest);
    }
}

/// <summary>A directory of this machine, read like the build context (its own <c>.dockerignore</c> applies).</summary>
public sealed record LocalNamedContext(string Directory) : NamedContext;
