using Tabula.Archives;
using Tabula.Build;
using Tabula.Oci;
using Tabula.Runtime;
using Tabula.Transports;

namespace Tabula.Cli.Build;

/// <summary>
/// A multi-platform build's outputs, as BuildKit's exporters write them: <c>oci</c> and <c>docker</c> an archive
/// holding the index (see <see cref="IndexArchiveWriter"/>), <c>tar</c> and <c>local</c> each platform's filesystem in
/// a folder named after the platform (<c>linux_amd64/</c>, <c>linux_arm_v7/</c>: BuildKit's platform split).
/// </summary>
internal static class MultiPlatformOutputWriter
{
    /// <returns>Device nodes a <c>type=local</c> output left out (making them needs root).</returns>
    public static async Task<int> WriteAsync(ImageStore store, BuildOutput output, BuildResult result, IReadOnlyList<ImageReference> names, CancellationToken ct)
    {
        switch (output.Type)
        {
            case BuildOutputType.Docker or BuildOutputType.Oci:
            {
                // The docker flavour is the Docker 25+ layout: only an OCI layout can hold an index.
                var format = output.Type == BuildOutputType.Docker ? ArchiveFormat.DockerOci : ArchiveFormat.Oci;
                if (output.ToStdout)
                {
                    await using var stdout = Console.OpenStandardOutput();
                    await ArchiveSaver.SaveIndexAsync(store.Content, result.Manifest, names, format, stdout, ct);
                }
                else await ArchiveSaver.SaveIndexAsync(store.Content, result.Manifest, names, format, output.Destination!, ct);
                return 0;
            }
            case BuildOutputType.Tar:
            {
                var images = new List<(string, Tabula.Images.IImage)>();
                foreach (var platform in result.Platforms)
                    images.Add((FolderOf(platform.Platform), await store.Layout.LoadImageAsync(platform.Manifest, null, ct)));
                if (output.ToStdout)
                {
                    await using var stdout = Console.OpenStandardOutput();
                    await RootfsExport.WriteTarAsync(images, stdout, ct);
                }
                else await RootfsExport.WriteTarAsync(images, output.Destination!, ct);
                return 0;
            }
            case BuildOutputType.Local:
            {
                int skipped = 0;
                foreach (var platform in result.Platforms)
                {
                    var image = await store.Layout.LoadImageAsync(platform.Manifest, null, ct);
                    var (_, written) = await RootfsUnpacker.UnpackAsync(image.Layers, Path.Combine(Path.GetFullPath(output.Destination!), FolderOf(platform.Platform)), ct);
                    skipped += written.SkippedDevices;
                }
                return skipped;
            }
            default:
                return 0;
        }
    }

    /// <summary>BuildKit's folder name of a platform: its full form (<c>os[(version)]/arch[/variant]</c>) with every '/' made '_'.</summary>
    public static string FolderOf(Platform platform) => platform.ToString().Replace('/', '_');
}
