using System.Formats.Tar;
using System.IO.Compression;
using Tabula.IO;

namespace Tabula.Cli;

/// <summary>
/// docker's stdin conventions for build: <c>-f -</c> reads the Dockerfile from stdin; a context of <c>-</c> reads a tar
/// (plain or gzip) of the context from stdin, or a bare Dockerfile (then the context is empty).
/// </summary>
internal sealed class StdinContext : IDisposable
{
    private readonly string? _temp;

    private StdinContext(string directory, string? dockerfilePath, string? dockerfileText, string? temp)
    {
        Directory = directory;
        DockerfilePath = dockerfilePath;
        DockerfileText = dockerfileText;
        _temp = temp;
    }

    public string Directory { get; }
    public string? DockerfilePath { get; }
    public string? DockerfileText { get; }

    public static async Task<StdinContext> PrepareAsync(string context, string? file, Func<Stream> openInput, CancellationToken cancellationToken)
    {
        if (context != "-")
        {
            if (file == "-")
            {
                using var dockerfile = new StreamReader(openInput());
                return new StdinContext(context, "Dockerfile", await dockerfile.ReadToEndAsync(cancellationToken), null);
            }
            var path = file is null ? null : Path.IsPathRooted(file) || File.Exists(file) ? file : Path.Combine(context, file);
            return new StdinContext(context, path, null, null);
        }
        if (file == "-") throw new UsageException("the context and the Dockerfile cannot both come from stdin");

        var temp = Path.Combine(Path.GetTempPath(), "tabula-context-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(temp);
        try
        {
            using var buffered = new BufferedStream(openInput(), 1 << 16);
            var head = new byte[512];
            int n = await buffered.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
            Stream input = new PrefixedReadStream(head.AsMemory(0, n), buffered);
            if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b) input = new GZipStream(input, CompressionMode.Decompress);
            else if (!(n >= 262 && head.AsSpan(257, 5).SequenceEqual("ustar"u8)))
            {
                // Not a tar: the whole input is the Dockerfile and the context is empty.
                using var reader = new StreamReader(input);
                return new StdinContext(temp, "Dockerfile", await reader.ReadToEndAsync(cancellationToken), temp);
            }
            await TarFile.ExtractToDirectoryAsync(input, temp, overwriteFiles: true, cancellationToken);
            return new StdinContext(temp, file is null ? null : Path.Combine(temp, file), null, temp);
        }
        catch
        {
            System.IO.Directory.Delete(temp, recursive: true);
            throw;
        }
    }

    public void Dispose()
    {
        if (_temp is not null && System.IO.Directory.Exists(_temp)) System.IO.Directory.Delete(_temp, recursive: true);
    }
}
