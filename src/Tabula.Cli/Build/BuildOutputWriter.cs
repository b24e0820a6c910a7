using Tabula.Archives;
using Tabula.Build;
using Tabula.Content;
using Tabula.Oci;
using Tabula.Runtime;
using Tabula.Transports;

namespace Tabula.Cli.Build;

/// <summary>Writes a built image to an <see cref="BuildOutput"/> other than the store, with the code <c>save</c>, <c>export</c> and <c>unpack</c> use.</summary>
internal static class BuildOutputWriter
{
    /// <returns>Device nodes a <c>type=local</c> output left out (making them needs root).</returns>
    public static async Task<int> WriteAsync(ImageStore store, BuildOutput output, BuildResult result, IReadOnlyList<ImageReference> names, CancellationToken ct)
    {
        if (result.Platforms.Count > 0) return await MultiPlatformOutputWriter.WriteAsync(store, output, result, names, ct);
        switch (output.Type)
        {
            case BuildOutputType.Docker or BuildOutputType.Oci:
            {
                var images = new[] { new StoredImage(result.Manifest, result.ImageId, names) };
                var format = output.Type == BuildOutputType.Docker ? ArchiveFormat.Docker : ArchiveFormat.Oci;
                if (output.ToStdout)
                {
                    await using var stdout = Console.OpenStandardOutput();
                    await ArchiveSaver.SaveAsync(store.Content, images, format, stdout, ct);
                }
                else await ArchiveSaver.SaveAsync(store.Content, images, format, output.Destination!, ct);
                return 0;
            }
            case BuildOutputType.Tar:
            {
                var image = await store.Layout.LoadImageAsync(result.Manifest, null, ct);
                if (output.ToStdout)
                {
                    await using var stdout = Console.OpenStandardOutput();
                    await RootfsExport.WriteTarAsync(image, stdout, ct);
                }
                else await RootfsExport.WriteTarAsync(image, output.Destination!, ct);
                return 0;
            }
            case BuildOutputType.Local:
            {
                var image = await store.Layout.LoadImageAsync(result.Manifest, null, ct);
                var (_, written) = await RootfsUnpacker.UnpackAsync(image.Layers, Path.GetFullPath(output.Destination!), ct);
                return written.SkippedDevices;
            }
            default:
                return 0;
        }
    }

    /// <summary>Archives to stdout need a stdout that is not a terminal (as <c>save</c>); checked before the build starts.</summary>
    public static void CheckDestination(BuildOutput output)
    {
        if (output.ToStdout && !Console.IsOutputRedirected)
            throw new UsageException($"cowardly refusing to write a {output.Type.ToString().ToLowerInvariant()} archive to a terminal: give dest=FILE or redirect stdout");
        if (output.Type == BuildOutputType.Local && Directory.Exists(output.Destination) && Directory.EnumerateFileSystemEntries(output.Destination).Any())
            throw new UsageException($"-o {output.Destination}: the folder is not empty; give a new or empty folder");
    }
}
