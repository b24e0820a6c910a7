using System.Text.Json;
using Tabula.Build;
using Tabula.Oci;
using Tabula.Transports;

namespace Tabula.Cli.Build;

/// <summary><c>--iidfile</c> and <c>--metadata-file</c>, written as docker and buildx write them.</summary>
internal static class BuildMetadataFiles
{
    /// <summary>The image ID (<c>sha256:…</c>, the config's digest) with no newline, as docker writes it.</summary>
    public static Task WriteImageIdAsync(string path, BuildResult result, CancellationToken ct)
        => File.WriteAllTextAsync(path, result.ImageId.ToString(), ct);

    /// <summary>
    /// buildx's keys for an image output (store, docker or oci archive): the manifest's digest and descriptor, the
    /// config's digest, the names comma-joined. A pushed manifest is the one described when the push had to rewrite it
    /// (uncompressed layers go up compressed). A filesystem output (tar, local) has no image: the file holds <c>{}</c>,
    /// as BuildKit's local and tar exporters report nothing.
    /// </summary>
    public static async Task WriteMetadataAsync(string path, BuildResult result, bool image, IReadOnlyList<ImageReference> names, PushResult? pushed, CancellationToken ct)
    {
        var metadata = new BuildMetadataJson();
        if (image)
        {
            var digest = pushed?.Digest ?? result.Manifest.Digest;
            metadata = new BuildMetadataJson
            {
                ConfigDigest = result.ImageId.ToString(),
                Descriptor = new BuildDescriptorJson(result.Manifest.MediaType, digest.ToString(), pushed?.Size ?? result.Manifest.Size),
                Digest = digest.ToString(),
                ImageName = names.Count > 0 ? string.Join(',', names.Select(n => n.ToString())) : null,
            };
        }
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(metadata, BuildJsonContext.Indented.BuildMetadataJson) + "\n", ct);
    }
}
